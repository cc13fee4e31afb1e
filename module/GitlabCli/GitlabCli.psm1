#Requires -Version 7.2
# GitlabCli: cmdlets that bind parameters, confirm, and turn the engine's messages into
# PowerShell objects, errors and stream records. Everything else happens in the gitlabcli engine
# (see docs/ARCHITECTURE.md). This file only loads the pieces: the .NET types, the private
# helpers, the cmdlets, and -Scope's valid values from the committed protocol schema.

Set-StrictMode -Version 3.0

$script:ModuleRoot = $PSScriptRoot
$script:SchemaPath = Join-Path $PSScriptRoot 'GitlabCli.Protocol.schema.json'

foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Private') -Filter '*.ps1' | Sort-Object Name) {
    . $file.FullName
}

# The types first: the cmdlets' parameter attributes name them.
Import-GitlabCliType

foreach ($file in Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' | Sort-Object Name) {
    . $file.FullName
}

[GitlabCli.GitlabScopes]::Values = Get-GitlabCliSchemaScope -Path $script:SchemaPath

$ExecutionContext.SessionState.Module.OnRemove = {
    Close-AllGitlabCliEngine
}

Export-ModuleMember -Function 'New-GitlabPersonalAccessToken'
