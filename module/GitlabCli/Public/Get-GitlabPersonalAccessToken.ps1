function Get-GitlabPersonalAccessToken {
    <#
    .SYNOPSIS
    Lists personal access tokens, or gets one by id or the one in use.

    .DESCRIPTION
    Get-GitlabPersonalAccessToken reads personal access tokens from GitLab. It
    never shows a token's value: GitLab returns that only when a token is
    created or rotated.

    Without -TokenId or -Self it lists tokens. An administrator sees every
    user's tokens unless -UserId or -Mine narrows the list; anyone else sees
    only their own, and GitLab refuses to list another user's tokens for them.
    The filters (-CreatedAfter, -LastUsedBefore, -State, -Revoked, -Search and
    the others) are applied by GitLab.

    GitLab hands out lists in pages. By default the cmdlet fetches one page of
    100 tokens and warns when more exist; -All fetches every page and -MaxPages
    a given number of them. Tokens are written to the pipeline as each page
    arrives, and no further page is fetched once the pipeline has what it
    needs (for example after Select-Object -First 5).

    -TokenId gets one token by its id; -Self gets the token the module
    authenticates with.

    .PARAMETER TokenId
    The id of one token to get (alias -Id), as the Id column of the list shows
    it. Administrators may get any token; others only their own.

    .PARAMETER Self
    Gets the access token the module itself uses (GITLAB_ACCESS_TOKEN or the
    site's token in the config file), for example to see when it expires.

    .PARAMETER UserId
    Lists only this user's tokens: a numeric user id or a username (aliases
    -Username and -EmailAddress). Listing another user's tokens needs an
    administrator. Binds from the UserId, Username or EmailAddress property of
    piped objects.

    .PARAMETER Mine
    Lists only your own tokens. Useful for administrators, who otherwise see
    every user's tokens.

    .PARAMETER CreatedAfter
    Lists only tokens created on or after this date, in a form PowerShell reads
    as a date in your culture (for example 2025-01-31).

    .PARAMETER CreatedBefore
    Lists only tokens created on or before this date.

    .PARAMETER LastUsedAfter
    Lists only tokens last used on or after this date. Tokens never used are
    left out.

    .PARAMETER LastUsedBefore
    Lists only tokens last used on or before this date, for example to find
    tokens nobody has used for a year. Tokens never used are left out.

    .PARAMETER ExpiresAfter
    Lists only tokens that expire after this date.

    .PARAMETER ExpiresBefore
    Lists only tokens that expire before this date, for example to find the
    tokens to rotate this month.

    .PARAMETER State
    active lists only tokens that still work; inactive only those revoked or
    expired.

    .PARAMETER Revoked
    Lists only revoked tokens; -Revoked:$false lists only tokens not revoked.

    .PARAMETER Search
    Lists only tokens whose name contains this text (GitLab ignores case).

    .PARAMETER MaxPages
    Fetches at most this many pages of 100 tokens (default 1) and warns if more
    exist. Cannot be combined with -All.

    .PARAMETER All
    Fetches every page, however many tokens there are.

    .PARAMETER SiteUrl
    The GitLab instance to use, for example https://gitlab.example.com, when
    more than one is configured. It must be one of the configured sites (press
    Tab to list them); without it the site from GITLAB_URL/GITLAB_ACCESS_TOKEN
    is used, then the config file's default site.

    .EXAMPLE
    Get-GitlabPersonalAccessToken

    Lists the first 100 tokens you can see: your own, or as an administrator
    everyone's. A warning says so when there are more.

    .EXAMPLE
    Get-GitlabPersonalAccessToken -UserId jsmith -State active -All

    Lists every token of the user jsmith that still works (administrators only,
    unless you are jsmith).

    .EXAMPLE
    Get-GitlabPersonalAccessToken -Self | Select-Object Name, Scopes, ExpiresAt

    Shows the name, scopes and expiry of the token the module uses.

    .EXAMPLE
    Get-GitlabPersonalAccessToken -Mine -ExpiresBefore (Get-Date).AddDays(30) -State active

    Lists your tokens that stop working within the next 30 days.

    .INPUTS
    System.Management.Automation.PSObject

    Objects with a UserId, Username or EmailAddress property bind to -UserId;
    each one lists that user's tokens.

    .OUTPUTS
    Gitlab.PersonalAccessToken

    Id, Name, Revoked, CreatedAt, Description, Scopes, UserId, LastUsedAt,
    Active, ExpiresAt and SiteUrl; dates are [datetime]. The default table shows
    Id, Name, Scopes, Active, ExpiresAt and LastUsedAt.

    .NOTES
    The objects pipe straight into Revoke-GitlabPersonalAccessToken and
    Invoke-GitlabPersonalAccessTokenRotation, which bind their Id and SiteUrl.

    Errors carry ErrorIds GitlabCli.<Kind>, for example GitlabCli.Unauthorized
    when a non-administrator asks for another user's tokens (GitLab answers 401
    for that, and for a token id that is not theirs).

    -Verbose shows each HTTP request (one per page); -Debug the bodies.

    .LINK
    https://docs.gitlab.com/ee/api/personal_access_tokens.html#list-all-personal-access-tokens

    .LINK
    Revoke-GitlabPersonalAccessToken

    .LINK
    Invoke-GitlabPersonalAccessTokenRotation
    #>
    [CmdletBinding(DefaultParameterSetName = 'List')]
    [OutputType('Gitlab.PersonalAccessToken')]
    param(
        [Parameter(Position = 0, Mandatory, ParameterSetName = 'Id')]
        [Alias('Id')]
        [string]
        $TokenId,

        [Parameter(Mandatory, ParameterSetName = 'Self')]
        [switch]
        $Self,

        [Parameter(ParameterSetName = 'List', ValueFromPipelineByPropertyName)]
        [Alias('Username', 'EmailAddress')]
        [string]
        $UserId,

        [Parameter(ParameterSetName = 'List')]
        [switch]
        $Mine,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $CreatedAfter,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $CreatedBefore,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $LastUsedAfter,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $LastUsedBefore,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $ExpiresAfter,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $ExpiresBefore,

        [Parameter(ParameterSetName = 'List')]
        [ValidateSet('active', 'inactive')]
        [string]
        $State,

        [Parameter(ParameterSetName = 'List')]
        [switch]
        $Revoked,

        [Parameter(ParameterSetName = 'List')]
        [string]
        $Search,

        [Parameter(ParameterSetName = 'List')]
        [ValidateRange(1, [int]::MaxValue)]
        [int]
        $MaxPages,

        [Parameter(ParameterSetName = 'List')]
        [switch]
        $All,

        [Parameter()]
        [string]
        $SiteUrl
    )

    begin {
        $pipeline = Start-GitlabCliTokenPipeline -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters
    }

    process {
        $done = $false
        try {
            $inputObject = if ($MyInvocation.ExpectingInput) { $_ } else { $null }
            Invoke-GitlabCliTokenGet -Pipeline $pipeline -Cmdlet $PSCmdlet -BoundParameters $PSBoundParameters `
                -ParameterSetName $PSCmdlet.ParameterSetName -ExpectingInput $MyInvocation.ExpectingInput -InputObject $inputObject
            $done = $true
        } finally {
            # A stopped pipeline (Select-Object -First) or a terminating error ends here: close now.
            if (-not $done) { Close-GitlabCliTokenPipeline -Pipeline $pipeline }
        }
    }

    end {
        Close-GitlabCliTokenPipeline -Pipeline $pipeline
    }

    # On PowerShell 7.3+ GitlabCli.psm1 makes this line: clean { Close-GitlabCliTokenPipeline -Pipeline $pipeline }
}
