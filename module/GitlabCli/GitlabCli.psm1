#Requires -Version 7.2
# GitlabCli: cmdlets that bind parameters, confirm, and turn the engine's messages into
# PowerShell objects, errors and stream records. Everything else happens in the gitlabcli engine
# (see docs/ARCHITECTURE.md). This file only loads the pieces: the .NET types, the private
# helpers, the cmdlets, and -Scope's valid values from the committed protocol schema.

Set-StrictMode -Version 3.0

$script:ModuleRoot = $PSScriptRoot
$script:SchemaPath = [System.IO.Path]::Combine($PSScriptRoot, 'GitlabCli.Protocol.schema.json')

# .NET rather than Get-ChildItem, Sort-Object, Join-Path or Remove-Variable: the first call of
# each loads the module it lives in, which was a third of the import time (docs/PERFORMANCE.md).
function Get-GitlabCliModuleScript([string] $Folder) {
    $files = [System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, $Folder), '*.ps1')
    [System.Array]::Sort($files, [System.StringComparer]::Ordinal)
    $files
}

foreach ($file in Get-GitlabCliModuleScript 'Private') {
    . $file
}

# The types first: the cmdlets' parameter attributes name them.
Import-GitlabCliType

# The cmdlets. A pipeline that stops early (Ctrl+C, a terminating error upstream) runs neither
# process nor end of a cmdlet further down, so its engine would linger until PowerShell exits.
# PowerShell 7.3 added the clean block, which always runs, but 7.2 cannot parse it: there, the
# marked comment stays a comment; from 7.3 on it becomes the clean block, on the same line of
# the same file, so errors and breakpoints still point at the file.
$cleanMarker = '(?m)^(\s*)# On PowerShell 7\.3\+ GitlabCli\.psm1 makes this line: (clean \{.*\})\s*$'
foreach ($file in Get-GitlabCliModuleScript 'Public') {
    if ($PSVersionTable.PSVersion -lt [version] '7.3') {
        . $file
        continue
    }
    $text = [System.IO.File]::ReadAllText($file) -replace $cleanMarker, '$1$2'
    $tokens = $null
    $parseErrors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($text, $file, [ref] $tokens, [ref] $parseErrors)
    if ($parseErrors) {
        throw [System.Management.Automation.ParseException]::new($parseErrors)
    }
    . $ast.GetScriptBlock()
}

# Read when -Scope is first bound or completed (GitlabCli.Types.cs), not here.
[GitlabCli.GitlabScopes]::SchemaPath = $script:SchemaPath

# -SiteUrl completes the configured sites (from the engine) on every cmdlet that has it. Defined
# here, the script block runs in the module's scope and reaches its private functions.
# (Completion through an alias finds the command's completer.)
Register-ArgumentCompleter -ParameterName 'SiteUrl' -CommandName 'New-GitlabPersonalAccessToken',
    'Get-GitlabPersonalAccessToken', 'Invoke-GitlabPersonalAccessTokenRotation', 'Revoke-GitlabPersonalAccessToken' -ScriptBlock {
    param($CommandName, $ParameterName, $WordToComplete, $CommandAst, $FakeBoundParameters)
    Get-GitlabCliSiteCompletion -WordToComplete $WordToComplete
}

$ExecutionContext.SessionState.Module.OnRemove = {
    Close-AllGitlabCliEngine
}

Export-ModuleMember -Function 'New-GitlabPersonalAccessToken', 'Get-GitlabPersonalAccessToken',
    'Invoke-GitlabPersonalAccessTokenRotation', 'Revoke-GitlabPersonalAccessToken' -Alias 'Rotate-GitlabPersonalAccessToken',
    'Remove-GitlabPersonalAccessToken'
