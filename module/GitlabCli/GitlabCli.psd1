@{
    # The cmdlets are compiled: GitlabCli.dll (built from module/GitlabCli.Cmdlets/ by ./build.ps1)
    # sits beside this manifest, and its engine in bin/<rid>/gitlabcli.
    RootModule           = 'GitlabCli.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '016567d2-cf98-489b-92d5-361715a7c7eb'
    Author               = 'GitlabCli contributors'
    Copyright            = '(c) GitlabCli contributors. MIT License.'
    Description          = 'GitLab from PowerShell: cmdlets with the surface of pwsh-gitlab, backed by the gitlabcli engine.'
    PowerShellVersion    = '7.2'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('GitlabCli.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'New-GitlabPersonalAccessToken'
        'Get-GitlabPersonalAccessToken'
        'Invoke-GitlabPersonalAccessTokenRotation'
        'Revoke-GitlabPersonalAccessToken'
        'Get-GitlabConfiguration'
        'Get-DefaultGitlabSite'
        'Add-GitlabSite'
        'Set-DefaultGitlabSite'
        'Remove-GitlabSite'
    )
    AliasesToExport      = @('Rotate-GitlabPersonalAccessToken', 'Remove-GitlabPersonalAccessToken')
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            # The platforms (Linux, MacOS, Windows) are added by ./build.ps1 -Package, for the engines a package holds.
            Tags       = @('GitLab', 'PersonalAccessToken', 'AccessToken', 'PSEdition_Core')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
