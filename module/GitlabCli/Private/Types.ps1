# The module's .NET types (GitlabCli.Types.cs). ./build.ps1 compiles them into
# bin/GitlabCli.Types.<hash>.dll, named after the source's hash so a stale build is never
# loaded; without that file they are compiled in memory (about a second, once per process).

function Get-GitlabCliTypeAssemblyName {
    # The file name of the compiled types for the current source.
    param([Parameter(Mandatory)] [string] $SourcePath)
    $hash = (Get-FileHash -LiteralPath $SourcePath -Algorithm SHA256).Hash.Substring(0, 16).ToLowerInvariant()
    "GitlabCli.Types.$hash.dll"
}

function Import-GitlabCliType {
    if ('GitlabCli.GitlabScopes' -as [type]) {
        # Already loaded in this process (the module imported again, or into another runspace).
        return
    }
    $source = Join-Path $script:ModuleRoot 'GitlabCli.Types.cs'
    $compiled = Join-Path $script:ModuleRoot 'bin' (Get-GitlabCliTypeAssemblyName -SourcePath $source)
    if (Test-Path -LiteralPath $compiled) {
        [void] [System.Reflection.Assembly]::LoadFrom($compiled)
    } else {
        Add-Type -TypeDefinition ([System.IO.File]::ReadAllText($source))
    }
}
