# The module's .NET types (GitlabCli.Types.cs). ./build.ps1 compiles them into
# bin/GitlabCli.Types.<hash>.dll, named after the source's hash so a stale build is never
# loaded; without that file they are compiled in memory (about a second, once per process).

function Get-GitlabCliTypeAssemblyName {
    # The file name of the compiled types for the current source.
    param([Parameter(Mandatory)] [string] $SourcePath)
    # .NET rather than Get-FileHash: the first call of a cmdlet from another module loads that
    # module, tens of milliseconds of Import-Module. Same bytes, same hash as build.ps1's.
    $bytes = [System.IO.File]::ReadAllBytes($SourcePath)
    $hash = [System.Convert]::ToHexString([System.Security.Cryptography.SHA256]::HashData($bytes)).Substring(0, 16).ToLowerInvariant()
    "GitlabCli.Types.$hash.dll"
}

function Import-GitlabCliType {
    if ('GitlabCli.GitlabScopes' -as [type]) {
        # Already loaded in this process (the module imported again, or into another runspace).
        return
    }
    $source = [System.IO.Path]::Combine($script:ModuleRoot, 'GitlabCli.Types.cs')
    $compiled = [System.IO.Path]::Combine($script:ModuleRoot, 'bin', (Get-GitlabCliTypeAssemblyName -SourcePath $source))
    if ([System.IO.File]::Exists($compiled)) {
        [void] [System.Reflection.Assembly]::LoadFrom($compiled)
    } else {
        Add-Type -TypeDefinition ([System.IO.File]::ReadAllText($source))
    }
}
