# The engine's token results as the objects the cmdlets output. The per-field work is in C#
# ([GitlabCli.Records], GitlabCli.Types.cs); this keeps a new token from being lost to it.

function ConvertTo-GitlabCliTokenOutput {
    # The object to output for a created or rotated token. GitLab shows the token only once, so a
    # result the wrapper cannot convert (a field of a type it does not expect) must not lose it:
    # the value, name and site go out as a bare object, with a warning. A plain function: it runs
    # once per record.
    param([System.Collections.IDictionary] $Result)
    try {
        [GitlabCli.Records]::NewPersonalAccessToken($Result)
    } catch {
        Write-Warning "GitlabCli could not read every field of the new token's details ($($_.Exception.Message)); the token is output with the fields that could be read. Store it now: GitLab shows it only once."
        $fallback = [ordered]@{ PSTypeName = 'Gitlab.NewPersonalAccessToken' }
        foreach ($pair in @(@('Id', 'id'), @('Name', 'name'), @('Scopes', 'scopes'), @('ExpiresAt', 'expires_at'), @('Token', 'token'), @('SiteUrl', 'site_url'))) {
            $fallback[$pair[0]] = $Result[$pair[1]]
        }
        [pscustomobject] $fallback
    }
}
