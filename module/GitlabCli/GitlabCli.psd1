@{
    RootModule           = 'GitlabCli.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '016567d2-cf98-489b-92d5-361715a7c7eb'
    Author               = 'GitlabCli contributors'
    Copyright            = '(c) GitlabCli contributors. MIT License.'
    Description          = 'GitLab from PowerShell: cmdlets with the surface of pwsh-gitlab, backed by the gitlabcli engine.'
    PowerShellVersion    = '7.2'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('GitlabCli.Format.ps1xml')
    FunctionsToExport    = @(
        'New-GitlabPersonalAccessToken'
        'Get-GitlabPersonalAccessToken'
        'Invoke-GitlabPersonalAccessTokenRotation'
        'Revoke-GitlabPersonalAccessToken'
    )
    CmdletsToExport      = @()
    AliasesToExport      = @('Rotate-GitlabPersonalAccessToken', 'Remove-GitlabPersonalAccessToken')
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('GitLab', 'PersonalAccessToken', 'PSEdition_Core', 'Linux', 'MacOS', 'Windows')
            LicenseUri = 'https://opensource.org/licenses/MIT'
        }
    }
}
