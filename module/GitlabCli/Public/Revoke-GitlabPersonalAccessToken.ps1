function Revoke-GitlabPersonalAccessToken {
    <#
    .SYNOPSIS
    Revokes personal access tokens, so they stop working at once.

    .DESCRIPTION
    Revoke-GitlabPersonalAccessToken revokes the token with the id you give,
    or with -Self the token the module itself authenticates with. A revoked
    token stops working immediately and cannot be brought back.

    Every object piped in is revoked: pipe Get-GitlabPersonalAccessToken into
    it to revoke a whole list. Each record is checked and confirmed first (the
    cmdlet asks before each one unless -Confirm:$false is given), then the
    confirmed tokens are revoked one after the other over one connection, after
    the list upstream is complete.

    Administrators may revoke any user's token; everyone else only their own.

    .PARAMETER TokenId
    The id of the token to revoke (alias -Id). Binds from the Id property of
    piped objects such as those of Get-GitlabPersonalAccessToken.

    .PARAMETER Self
    Revokes the access token the module itself uses. Later commands fail with
    GitlabCli.Unauthorized until another token is configured.

    .PARAMETER PassThru
    Outputs the id of each token revoked. Without it the cmdlet outputs nothing.

    .PARAMETER SiteUrl
    The GitLab instance the token lives on, when more than one is configured.
    It must be one of the configured sites (press Tab to list them). Binds from
    the SiteUrl property of piped tokens, so each is revoked where it was
    listed.

    .PARAMETER WhatIf
    Shows which tokens would be revoked and sends nothing to GitLab.

    .PARAMETER Confirm
    Asks before revoking each token; this cmdlet asks by default. Answer Yes to
    All to revoke the rest without asking, or pass -Confirm:$false.

    .EXAMPLE
    Revoke-GitlabPersonalAccessToken -TokenId 42

    Revokes token 42 after asking for confirmation.

    .EXAMPLE
    Get-GitlabPersonalAccessToken -UserId jsmith | Revoke-GitlabPersonalAccessToken -Confirm:$false

    Revokes every token of the user jsmith without asking (administrators only).

    .EXAMPLE
    Get-GitlabPersonalAccessToken -Mine -LastUsedBefore (Get-Date).AddYears(-1) -State active | Revoke-GitlabPersonalAccessToken -WhatIf

    Shows which of your working tokens, unused for a year, would be revoked.

    .EXAMPLE
    Revoke-GitlabPersonalAccessToken -Self -PassThru

    Revokes the token the module uses and outputs its id.

    .INPUTS
    System.Management.Automation.PSObject

    Objects with an Id (or TokenId) property, and optionally SiteUrl.

    .OUTPUTS
    System.Int64

    With -PassThru, the id of each token revoked; otherwise nothing.

    .NOTES
    GitLab answers 204 No Content when a token is revoked. A failing record
    writes a non-terminating error and the others go on: GitlabCli.NotFound for
    an unknown id, GitlabCli.Forbidden for another user's token when you are
    not an administrator, GitlabCli.InvalidArgument when GitLab refuses (for
    example a token already revoked).

    -WhatIf sends no request at all. A revoked token cannot be restored; to
    replace a token without a gap, rotate it with
    Invoke-GitlabPersonalAccessTokenRotation instead.

    .LINK
    https://docs.gitlab.com/ee/api/personal_access_tokens.html#revoke-a-personal-access-token

    .LINK
    Get-GitlabPersonalAccessToken
    #>
    [CmdletBinding(DefaultParameterSetName = 'Id', SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType([long])]
    [Alias('Remove-GitlabPersonalAccessToken')]
    param(
        [Parameter(Position = 0, Mandatory, ParameterSetName = 'Id', ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string]
        $TokenId,

        [Parameter(Mandatory, ParameterSetName = 'Self')]
        [switch]
        $Self,

        [Parameter()]
        [switch]
        $PassThru,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]
        $SiteUrl
    )

    begin {
        $pipeline = Start-GitlabCliTokenPipeline -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters
    }

    process {
        $inputObject = if ($MyInvocation.ExpectingInput) { $_ } else { $null }
        Add-GitlabCliTokenChange -Pipeline $pipeline -Cmdlet $PSCmdlet -Command 'revoke-personal-access-token' `
            -BoundParameters $PSBoundParameters -ParameterSetName $PSCmdlet.ParameterSetName `
            -ExpectingInput $MyInvocation.ExpectingInput -InputObject $inputObject
    }

    end {
        Invoke-GitlabCliTokenChange -Pipeline $pipeline -Cmdlet $PSCmdlet -Command 'revoke-personal-access-token' -PassThru:$PassThru
    }

    # On PowerShell 7.3+ GitlabCli.psm1 makes this line: clean { Close-GitlabCliTokenPipeline -Pipeline $pipeline }
}
