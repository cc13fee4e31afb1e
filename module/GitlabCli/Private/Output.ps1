# The engine's result as the object the cmdlet outputs.

function ConvertTo-GitlabNewPersonalAccessToken {
    # A `create-personal-access-token` result (hashtable) as Gitlab.NewPersonalAccessToken, built
    # in GitlabCli.Types.cs (Records): one call per record instead of a dozen.
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $Result)
    [GitlabCli.Records]::NewPersonalAccessToken($Result)
}
