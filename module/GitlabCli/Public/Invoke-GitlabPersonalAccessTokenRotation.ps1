function Invoke-GitlabPersonalAccessTokenRotation {
    <#
    .SYNOPSIS
    Rotates a personal access token: revokes it and returns a new one with the
    same name and scopes.

    .DESCRIPTION
    Invoke-GitlabPersonalAccessTokenRotation asks GitLab to rotate the token
    with the id you give, or with -Self the token the module authenticates
    with. GitLab revokes the old token at once and issues a new token with the
    same name, description and scopes, which the cmdlet outputs as a
    Gitlab.NewPersonalAccessToken, like New-GitlabPersonalAccessToken does.

    The new token's expiry is either an exact date (-ExpiresAt) or a number of
    calendar months from today (-ExpireInMonths), with the same rules as
    New-GitlabPersonalAccessToken. With neither, GitLab decides (one week on
    current versions).

    Every object piped in is rotated, each after confirmation (the cmdlet asks
    by default: the old token stops working immediately). Rotating a token
    that is already revoked fails, and GitLab then revokes every token of its
    family, since that is how a leaked old token shows itself.

    .PARAMETER TokenId
    The id of the token to rotate (alias -Id). Binds from the Id property of
    piped objects such as those of Get-GitlabPersonalAccessToken.

    .PARAMETER Self
    Rotates the access token the module itself uses (it needs the api or
    self_rotate scope). Store the new token where the old one was configured
    before running further commands.

    .PARAMETER ExpiresAt
    The date the new token expires, in a form PowerShell reads as a date in
    your culture (for example 2027-05-28). It must lie in the future. Cannot be
    combined with -ExpireInMonths.

    .PARAMETER ExpireInMonths
    Makes the new token expire this many calendar months from today (the day
    moves to the end of a shorter month). Must be at least 1. Cannot be
    combined with -ExpiresAt.

    .PARAMETER CopyToClipboard
    Puts the new token on the system clipboard and outputs nothing; a message
    confirms the copy without showing the token. Works for a single token only.
    If the clipboard cannot be used, the token is output as usual with a
    warning, so it is never lost.

    .PARAMETER SiteUrl
    The GitLab instance the token lives on, when more than one is configured.
    It must be one of the configured sites (press Tab to list them). Binds from
    the SiteUrl property of piped tokens.

    .PARAMETER WhatIf
    Shows which tokens would be rotated and sends nothing to GitLab.

    .PARAMETER Confirm
    Asks before rotating each token; this cmdlet asks by default. Pass
    -Confirm:$false in scripts.

    .EXAMPLE
    Invoke-GitlabPersonalAccessTokenRotation -TokenId 42 -ExpireInMonths 3

    Rotates token 42 after asking, and outputs the new token, which expires in
    three months.

    .EXAMPLE
    Rotate-GitlabPersonalAccessToken -Self -ExpireInMonths 1 -Confirm:$false -CopyToClipboard

    Rotates the token the module uses, through the Rotate- alias, and puts the
    new one on the clipboard.

    .EXAMPLE
    Get-GitlabPersonalAccessToken -Mine -State active -ExpiresBefore (Get-Date).AddDays(14) | Invoke-GitlabPersonalAccessTokenRotation -ExpireInMonths 6 -Confirm:$false

    Rotates every working token of yours that expires within two weeks and
    outputs the replacements.

    .INPUTS
    System.Management.Automation.PSObject

    Objects with an Id (or TokenId) property, and optionally SiteUrl.

    .OUTPUTS
    Gitlab.NewPersonalAccessToken

    The new token with its value in Token. Nothing is output when it went to
    the clipboard.

    .NOTES
    GitLab shows the new token only once: store it right away. The old token
    no longer works once the rotation succeeded.

    A failing record writes a non-terminating error and the others go on:
    GitlabCli.Unauthorized when the token is not yours (GitLab answers 401 to
    non-administrators for tokens that are not theirs or do not exist),
    GitlabCli.NotFound for an unknown id (administrators),
    GitlabCli.InvalidArgument when GitLab refuses, for example for a token
    already revoked. -WhatIf sends no request at all.

    .LINK
    https://docs.gitlab.com/ee/api/personal_access_tokens.html#rotate-a-personal-access-token

    .LINK
    Get-GitlabPersonalAccessToken

    .LINK
    New-GitlabPersonalAccessToken
    #>
    [CmdletBinding(DefaultParameterSetName = 'Id', SupportsShouldProcess, ConfirmImpact = 'High')]
    [OutputType('Gitlab.NewPersonalAccessToken')]
    [Alias('Rotate-GitlabPersonalAccessToken')]
    param(
        [Parameter(Position = 0, Mandatory, ParameterSetName = 'Id', ValueFromPipelineByPropertyName)]
        [Alias('Id')]
        [string]
        $TokenId,

        [Parameter(Mandatory, ParameterSetName = 'Self')]
        [switch]
        $Self,

        [Parameter()]
        [string]
        $ExpiresAt,

        [Parameter()]
        [uint]
        $ExpireInMonths,

        [Parameter()]
        [switch]
        $CopyToClipboard,

        [Parameter(ValueFromPipelineByPropertyName)]
        [string]
        $SiteUrl
    )

    begin {
        $pipeline = Start-GitlabCliTokenPipeline -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters
    }

    process {
        $inputObject = if ($MyInvocation.ExpectingInput) { $_ } else { $null }
        Add-GitlabCliTokenChange -Pipeline $pipeline -Cmdlet $PSCmdlet -Command 'rotate-personal-access-token' `
            -BoundParameters $PSBoundParameters -ParameterSetName $PSCmdlet.ParameterSetName `
            -ExpectingInput $MyInvocation.ExpectingInput -InputObject $inputObject
    }

    end {
        Invoke-GitlabCliTokenChange -Pipeline $pipeline -Cmdlet $PSCmdlet -Command 'rotate-personal-access-token' `
            -CopyToClipboard:$CopyToClipboard
    }

    # On PowerShell 7.3+ GitlabCli.psm1 makes this line: clean { Close-GitlabCliTokenPipeline -Pipeline $pipeline }
}
