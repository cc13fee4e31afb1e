# The engine's result as the object the cmdlet outputs.

function ConvertTo-GitlabCliDateTime {
    # An ISO 8601 date or date-time as [datetime]; $null when absent. Accepts a [datetime]
    # as well, in case a JSON reader already converted it.
    param([AllowNull()] [object] $Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value }
    if ($Value -is [System.DateTimeOffset]) { return $Value.LocalDateTime }
    $text = [string] $Value
    if ($text.Trim().Length -eq 0) { return $null }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParse($text, [cultureinfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::RoundtripKind, [ref] $parsed)) {
        return $parsed
    }
    Write-Debug "GitlabCli could not read the date '$text'."
    $null
}

function ConvertTo-GitlabNewPersonalAccessToken {
    # A `create-personal-access-token` result (hashtable) as Gitlab.NewPersonalAccessToken.
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Result)
    $userId = $Result['user_id']
    [pscustomobject]@{
        PSTypeName  = 'Gitlab.NewPersonalAccessToken'
        Id          = [long] $Result['id']
        Name        = [string] $Result['name']
        Revoked     = [bool] $Result['revoked']
        CreatedAt   = ConvertTo-GitlabCliDateTime $Result['created_at']
        Description = $Result['description']
        Scopes      = [string[]] @($Result['scopes'] | Where-Object { $null -ne $_ })
        UserId      = if ($null -ne $userId) { [long] $userId } else { $null }
        LastUsedAt  = ConvertTo-GitlabCliDateTime $Result['last_used_at']
        Active      = [bool] $Result['active']
        ExpiresAt   = ConvertTo-GitlabCliDateTime $Result['expires_at']
        Token       = $Result['token']
        SiteUrl     = [string] $Result['site_url']
    }
}

function ConvertTo-GitlabPersonalAccessToken {
    # A token entry of `list-personal-access-tokens` or `get-personal-access-token` (hashtable)
    # as Gitlab.PersonalAccessToken. It never carries a token value.
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Result)
    $userId = $Result['user_id']
    [pscustomobject]@{
        PSTypeName  = 'Gitlab.PersonalAccessToken'
        Id          = [long] $Result['id']
        Name        = [string] $Result['name']
        Revoked     = [bool] $Result['revoked']
        CreatedAt   = ConvertTo-GitlabCliDateTime $Result['created_at']
        Description = $Result['description']
        Scopes      = [string[]] @($Result['scopes'] | Where-Object { $null -ne $_ })
        UserId      = if ($null -ne $userId) { [long] $userId } else { $null }
        LastUsedAt  = ConvertTo-GitlabCliDateTime $Result['last_used_at']
        Active      = [bool] $Result['active']
        ExpiresAt   = ConvertTo-GitlabCliDateTime $Result['expires_at']
        SiteUrl     = [string] $Result['site_url']
    }
}

function ConvertTo-GitlabCliTokenOutput {
    # The object to output for a created token. The token was created and GitLab shows it only
    # once, so a result the wrapper cannot convert (a field of a type it does not expect) must not
    # lose it: the value, name and site go out as a bare object, with a warning.
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Result)
    try {
        ConvertTo-GitlabNewPersonalAccessToken -Result $Result
    } catch {
        Write-Warning "GitlabCli could not read every field of the new token's details ($($_.Exception.Message)); the token is output with the fields that could be read. Store it now: GitLab shows it only once."
        $fallback = [ordered]@{ PSTypeName = 'Gitlab.NewPersonalAccessToken' }
        foreach ($pair in @(@('Id', 'id'), @('Name', 'name'), @('Scopes', 'scopes'), @('ExpiresAt', 'expires_at'), @('Token', 'token'), @('SiteUrl', 'site_url'))) {
            $fallback[$pair[0]] = $Result[$pair[1]]
        }
        [pscustomobject] $fallback
    }
}
