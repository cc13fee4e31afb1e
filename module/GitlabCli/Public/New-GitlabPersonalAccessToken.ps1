function New-GitlabPersonalAccessToken {
    <#
    .SYNOPSIS
    Creates a personal access token for yourself or, as a GitLab administrator,
    for another user.

    .DESCRIPTION
    New-GitlabPersonalAccessToken asks GitLab to mint a new personal access
    token with the scopes you name and, optionally, an expiry date. Without
    -UserId the token is created for the user the configured access token
    belongs to; with -UserId (a numeric user id or a username) it is created for
    that user, which GitLab allows only to administrators of self-managed or
    Dedicated instances.

    The expiry is either an exact date (-ExpiresAt) or a number of calendar
    months from today (-ExpireInMonths), not both. With neither, the instance's
    default lifetime applies.

    Every record piped in creates its own token. The cmdlet checks each record
    first (nothing is created for a record with a wrong parameter), asks for
    confirmation per record where -Confirm or $ConfirmPreference requires it,
    then creates the confirmed tokens in one session with GitLab. The site and
    its access token come from the GITLAB_URL and GITLAB_ACCESS_TOKEN
    environment variables or from the config file shared with pwsh-gitlab
    ($HOME/.config/powershell/gitlabcli/config.yml); -SiteUrl picks one of the
    configured sites.

    The object returned carries the token itself in its Token property. GitLab
    shows a token only once: store it right away. With -CopyToClipboard the
    token goes to the clipboard instead.

    .PARAMETER UserId
    Whom the token is for: a numeric GitLab user id or a username (alias
    -Username). Leave it out to create a token for yourself. Creating tokens for
    other users needs an administrator's access token. Binds from the UserId or
    Username property of piped objects.

    .PARAMETER Name
    The token's name, as GitLab lists it under the user's access tokens. Pick
    one that says what the token is for; it must not be blank and may be at most
    255 characters. Binds from the Name property of piped objects.

    .PARAMETER Scope
    One or more scopes that limit what the token may do: api, read_user,
    read_api, read_repository, write_repository, read_registry, write_registry,
    sudo, admin_mode, create_runner, manage_runner, ai_features, k8s_proxy or
    read_service_ping, and GitLab's newer scopes such as self_rotate. Press Tab
    to list them; an unknown scope is refused before anything is sent.

    .PARAMETER ExpiresAt
    The date the token expires, in a form PowerShell reads as a date in your
    culture (for example 2027-05-28, or 5/28/2027 in en-US). It must lie in the
    future. Cannot be combined with -ExpireInMonths.

    .PARAMETER ExpireInMonths
    Makes the token expire this many calendar months from today; the day is
    moved to the end of a shorter month (January 31 plus one month is the last
    day of February). Must be at least 1. Cannot be combined with -ExpiresAt.

    .PARAMETER SiteUrl
    The GitLab instance to use, for example https://gitlab.example.com, when
    more than one is configured. It must be one of the configured sites (press
    Tab to list them); without it the site from GITLAB_URL/GITLAB_ACCESS_TOKEN
    is used, then the config file's default site.

    .PARAMETER CopyToClipboard
    Puts the new token on the system clipboard and outputs nothing; a message
    confirms the copy without showing the token. Works for a single token only.
    If the clipboard cannot be used, the token is output as usual with a
    warning, so it is never lost.

    .PARAMETER WhatIf
    Shows, for each record, which token would be created for which user on which
    site, and sends nothing to GitLab.

    .PARAMETER Confirm
    Asks before creating each token. Answer Yes to All or No to All to settle
    the remaining records of the pipeline at once.

    .EXAMPLE
    New-GitlabPersonalAccessToken -Name 'CI Token' -Scope 'api' -ExpireInMonths 6

    Creates a token called 'CI Token' for yourself, with the api scope, that
    expires six months from today.

    .EXAMPLE
    New-GitlabPersonalAccessToken -Name 'Read Only' -Scope 'read_api', 'read_repository' -ExpiresAt '2025-12-31' -CopyToClipboard

    Creates a read-only token (read_api and read_repository) that expires on 31
    December 2025 and puts it on the clipboard instead of printing it. The date
    must still lie in the future when you run it.

    .EXAMPLE
    New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Service Token' -Scope 'api'

    Creates a token with the api scope for the user jsmith. Only an
    administrator may do this.

    .EXAMPLE
    Import-Csv ./service-accounts.csv | New-GitlabPersonalAccessToken -Scope read_api -ExpireInMonths 3 -Confirm

    Creates one token per row of a CSV file with Username and Name columns,
    asking before each one (answer Yes to All to create the rest without
    asking). A row that fails writes an error and the other rows go on.

    .INPUTS
    System.Management.Automation.PSObject

    Objects with a UserId (or Username) property and a Name property bind to
    -UserId and -Name, one token per object.

    .OUTPUTS
    Gitlab.NewPersonalAccessToken

    The new token: Id, Name, Revoked, CreatedAt, Description, Scopes, UserId,
    LastUsedAt, Active, ExpiresAt, Token and SiteUrl. Nothing is output when the
    token went to the clipboard.

    .NOTES
    The token value is returned once, when it is created; GitLab never shows it
    again. Store it in a secret store right away.

    Piped records are all checked and confirmed first and created afterwards, by
    one engine process over one connection to GitLab. A failing record writes a
    non-terminating error (ErrorId GitlabCli.<Kind>, for example
    GitlabCli.Forbidden or GitlabCli.NotFound) and the others go on; use
    -ErrorAction Stop to stop at the first failure.

    Non-administrators can create tokens only for themselves, and only with the
    scopes GitLab lets any user mint for themselves (k8s_proxy, self_rotate).
    Other scopes, and any token for another user, go through the administrators'
    endpoint, which only administrators of self-managed or Dedicated instances
    may use.

    -Verbose shows each HTTP request (method, URL, status and duration) and
    -Debug the bodies, with every token replaced by REDACTED.

    .LINK
    https://chris-peterson.github.io/pwsh-gitlab/#/PersonalAccessTokens/New-GitlabPersonalAccessToken

    .LINK
    https://docs.gitlab.com/ee/api/users.html#create-a-personal-access-token

    .LINK
    https://docs.gitlab.com/ee/user/profile/personal_access_tokens.html#personal-access-token-scopes
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('Gitlab.NewPersonalAccessToken')]
    param(
        [Parameter(Position = 0, ValueFromPipelineByPropertyName)]
        [Alias('Username')]
        [string]
        $UserId,

        [Parameter(Position = 1, Mandatory, ValueFromPipelineByPropertyName)]
        [string]
        $Name,

        [Parameter(Position = 2, Mandatory)]
        [ValidateSet([GitlabCli.GitlabScopes])]
        [string[]]
        $Scope,

        [Parameter(Position = 3)]
        [string]
        $ExpiresAt,

        [Parameter(Position = 4)]
        [uint]
        $ExpireInMonths,

        [Parameter(Position = 5)]
        [string]
        $SiteUrl,

        [Parameter()]
        [switch]
        $CopyToClipboard
    )

    begin {
        $pipeline = Start-GitlabCliPatPipeline -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters
    }

    process {
        $inputObject = if ($MyInvocation.ExpectingInput) { $_ } else { $null }
        # Positional (Pipeline, Cmdlet, BoundParameters, ExpectingInput, InputObject): named
        # arguments cost a little more binding on every piped record.
        Add-GitlabCliPatPlan $pipeline $PSCmdlet $PSBoundParameters $MyInvocation.ExpectingInput $inputObject
    }

    end {
        Invoke-GitlabCliPatPipeline -Pipeline $pipeline -Cmdlet $PSCmdlet
    }

    # On PowerShell 7.3+ GitlabCli.psm1 makes this line: clean { Close-GitlabCliPatPipeline -Pipeline $pipeline }
}
