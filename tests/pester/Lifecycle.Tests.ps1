# Get-, Invoke-...Rotation and Revoke-GitlabPersonalAccessToken: the real module and engine
# against the fake GitLab, asserting on the fake's request log.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    Initialize-ScriptedHost
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Add-FakePat {
        # Seeds tokens in the fake (POST /__fake/tokens) and returns them with their values.
        param([Parameter(Mandatory)] [hashtable] $Spec)
        @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body $Spec)
    }

    function script:Get-FakeWrite {
        # Every request the fake received that could change something.
        @(Get-FakeRequest $Fake | Where-Object { $_.method -ne 'GET' })
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Get-GitlabPersonalAccessToken' {
    BeforeEach { Reset-Fake $Fake }

    It 'returns Gitlab.PersonalAccessToken objects with [datetime] dates and no token value' {
        Add-FakePat @{ username = 'jsmith'; name = 'CI'; scopes = @('api', 'read_api'); expires_at = '2099-01-31'; last_used_at = '2025-06-01T08:00:00.000Z'; created_at = '2025-01-02T03:04:05.000Z' } | Out-Null
        $tokens = @(Get-GitlabPersonalAccessToken -UserId jsmith)
        $tokens.Count | Should -Be 1
        $t = $tokens[0]
        $t.PSObject.TypeNames[0] | Should -Be 'Gitlab.PersonalAccessToken'
        $t.Id | Should -Be 1
        $t.Scopes | Should -Be @('api', 'read_api')
        $t.ExpiresAt | Should -BeOfType [datetime]
        $t.ExpiresAt.ToString('yyyy-MM-dd') | Should -Be '2099-01-31'
        $t.LastUsedAt | Should -BeOfType [datetime]
        $t.CreatedAt | Should -BeOfType [datetime]
        $t.Active | Should -BeTrue
        $t.SiteUrl | Should -Be $Fake.Url
        $t.PSObject.Properties.Name | Should -Not -Contain 'Token'
    }

    It 'shows the default table: Id, UserId (the owner), Name, Scopes, Active, ExpiresAt, LastUsedAt' {
        Add-FakePat @{ username = 'jsmith'; name = 'Tabled'; expires_at = '2099-01-31' } | Out-Null
        $header = (Get-GitlabPersonalAccessToken | Format-Table | Out-String -Width 200) -split "`n" |
            Where-Object { $_ -match '\S' } | Select-Object -First 1
        ($header -split '\s+' | Where-Object { $_ }) | Should -Be @('Id', 'UserId', 'Name', 'Scopes', 'Active', 'ExpiresAt', 'LastUsedAt')
    }

    It 'fetches one page of 100 by default and warns that more exist' {
        Add-FakePat @{ username = 'jsmith'; name = 'bulk'; count = 230 } | Out-Null
        Clear-FakeRequest $Fake
        $tokens = @(Get-GitlabPersonalAccessToken -WarningVariable warnings -WarningAction SilentlyContinue)
        $tokens.Count | Should -Be 100
        @($warnings).Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike '*More personal access tokens exist*-All*'
        $pages = @(Get-FakeRequest $Fake | Where-Object path -EQ '/api/v4/personal_access_tokens')
        $pages.Count | Should -Be 1
        $pages[0].query.per_page | Should -Be '100'
    }

    It '-All fetches every page, one request each, without a warning' {
        Add-FakePat @{ username = 'jsmith'; name = 'bulk'; count = 230 } | Out-Null
        Clear-FakeRequest $Fake
        $tokens = @(Get-GitlabPersonalAccessToken -All -WarningVariable warnings)
        $tokens.Count | Should -Be 230
        ($tokens.Id | Sort-Object -Unique).Count | Should -Be 230
        @($warnings).Count | Should -Be 0
        (Get-FakeRequest $Fake).query.page | Should -Be @('1', '2', '3')
    }

    It '-MaxPages stops after that many pages and warns' {
        Add-FakePat @{ username = 'jsmith'; name = 'bulk'; count = 230 } | Out-Null
        Clear-FakeRequest $Fake
        $tokens = @(Get-GitlabPersonalAccessToken -MaxPages 2 -WarningVariable warnings -WarningAction SilentlyContinue)
        $tokens.Count | Should -Be 200
        "$($warnings[0])" | Should -BeLike '*the first 2 pages*'
        @(Get-FakeRequest $Fake).Count | Should -Be 2
    }

    It 'stops asking for pages once the pipeline has enough' {
        Add-FakePat @{ username = 'jsmith'; name = 'bulk'; count = 230 } | Out-Null
        Clear-FakeRequest $Fake
        $first = @(Get-GitlabPersonalAccessToken -All | Select-Object -First 3)
        $first.Id | Should -Be @(1, 2, 3)
        @(Get-FakeRequest $Fake).Count | Should -Be 1
        (Get-OpenEngineCount) | Should -Be 0
    }

    It 'refuses -All with -MaxPages by ErrorId, sending nothing' {
        { Get-GitlabPersonalAccessToken -All -MaxPages 2 -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.GetGitlabPersonalAccessTokenCommand'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'sends the filters under GitLab''s names, dates as yyyy-MM-dd' {
        Get-GitlabPersonalAccessToken -Mine -CreatedAfter '2025-01-31' -LastUsedBefore ([datetime] '2025-06-30') -ExpiresBefore '2099-01-01' -State inactive -Revoked -Search 'deploy' | Out-Null
        $list = @(Get-FakeRequest $Fake | Where-Object path -EQ '/api/v4/personal_access_tokens')[0]
        $list.query.created_after | Should -Be '2025-01-31'
        $list.query.last_used_before | Should -Be '2025-06-30'
        $list.query.expires_before | Should -Be '2099-01-01'
        $list.query.state | Should -Be 'inactive'
        $list.query.revoked | Should -Be 'true'
        $list.query.search | Should -Be 'deploy'
        $list.query.user_id | Should -Be '1'
    }

    It 'reads a bad date filter as an error naming the parameter, and sends nothing' {
        $err = { Get-GitlabPersonalAccessToken -ExpiresAfter 'next tuesday' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.GetGitlabPersonalAccessTokenCommand' -PassThru
        $err.Exception.Parameter | Should -Be 'expires_after'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'gets one token by id, and -Self the one in use' {
        Add-FakePat @{ username = 'alice'; name = 'hers' } | Out-Null
        $value = (Add-FakePat @{ username = 'jsmith'; name = 'in use'; value = 'glpat-jsmith-in-use-0001' })[0].token
        (Get-GitlabPersonalAccessToken 1).Name | Should -Be 'hers'
        $env:GITLAB_ACCESS_TOKEN = $value
        try {
            (Get-GitlabPersonalAccessToken -Self).Id | Should -Be 2
            { Get-GitlabPersonalAccessToken -Id 1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabCli.Unauthorized,GitlabCli.GetGitlabPersonalAccessTokenCommand'
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
    }

    It 'tells a non-administrator that listing another user''s tokens needs an administrator' {
        $env:GITLAB_ACCESS_TOKEN = $Fake.UserToken
        try {
            $err = { Get-GitlabPersonalAccessToken -UserId alice -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabCli.Unauthorized,GitlabCli.GetGitlabPersonalAccessTokenCommand' -PassThru
            $err.Exception.Hint | Should -BeLike '*administrator*'
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
    }

    It 'lists per piped user, binding UserId from Username' {
        Add-FakePat @{ username = 'jsmith'; name = 'j' } | Out-Null
        Add-FakePat @{ username = 'alice'; name = 'a' } | Out-Null
        $tokens = @([pscustomobject]@{ Username = 'alice' }, [pscustomobject]@{ Username = 'jsmith' } | Get-GitlabPersonalAccessToken)
        $tokens.Name | Should -Be @('a', 'j')
    }

    It 'finds the user of a piped EmailAddress (administrators)' {
        Add-FakePat @{ username = 'jsmith'; name = 'j' } | Out-Null
        Clear-FakeRequest $Fake
        $tokens = @([pscustomobject]@{ EmailAddress = 'jsmith@example.test' } | Get-GitlabPersonalAccessToken)
        $tokens.Name | Should -Be @('j')
        (Get-FakeRequest $Fake)[0].query.search | Should -Be 'jsmith@example.test'
    }
}

Describe 'Revoke-GitlabPersonalAccessToken' {
    BeforeEach { Reset-Fake $Fake }

    It 'revokes every token piped in from Get-GitlabPersonalAccessToken -UserId jsmith' {
        Add-FakePat @{ username = 'jsmith'; name = 'j'; count = 120 } | Out-Null
        Add-FakePat @{ username = 'alice'; name = 'keep' } | Out-Null
        Clear-FakeRequest $Fake
        Get-GitlabPersonalAccessToken -UserId jsmith -All | Revoke-GitlabPersonalAccessToken -Confirm:$false
        $deletes = @(Get-FakeWrite)
        $deletes.Count | Should -Be 120
        $deletes.method | Sort-Object -Unique | Should -Be 'DELETE'
        $deletes.status | Sort-Object -Unique | Should -Be 204
        $after = @(Get-FakeToken $Fake)
        @($after | Where-Object { $_.user_id -eq 42 -and -not $_.revoked }).Count | Should -Be 0
        @($after | Where-Object { $_.name -eq 'keep' }).revoked | Should -BeFalse
        @(Get-GitlabPersonalAccessToken -UserId jsmith -State active).Count | Should -Be 0
    }

    It '-WhatIf names every piped token and sends no write request' {
        Add-FakePat @{ username = 'jsmith'; name = 'j'; count = 3 } | Out-Null
        Clear-FakeRequest $Fake
        $run = Invoke-InScriptedHost -Script 'Get-GitlabPersonalAccessToken -UserId jsmith | Revoke-GitlabPersonalAccessToken -WhatIf'
        $run.Errors | Should -BeNullOrEmpty
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf.Count | Should -Be 3
        # Each names its own token, though later records may be bound before its plan arrives.
        $whatIf[0] | Should -BeLike "*personal access token #1 on $($Fake.Url) ('j 1')*"
        $whatIf[1] | Should -BeLike "*personal access token #2 on $($Fake.Url) ('j 2')*"
        $whatIf[2] | Should -Be "What if: Performing the operation `"Revoke personal access token (it stops working at once)`" on target `"personal access token #3 on $($Fake.Url) ('j 3')`"."
        @(Get-FakeWrite).Count | Should -Be 0
        @(Get-FakeToken $Fake | Where-Object revoked).Count | Should -Be 0
    }

    It 'asks before each token by default (ConfirmImpact High) and revokes only what was confirmed' {
        Add-FakePat @{ username = 'jsmith'; name = 'j'; count = 3 } | Out-Null
        $run = Invoke-InScriptedHost -Script 'Get-GitlabPersonalAccessToken | Revoke-GitlabPersonalAccessToken -PassThru' -Answers 0, 2, 0
        $run.Prompts.Count | Should -Be 3
        $run.Output | Should -Be @(1, 3)
        (Get-FakeWrite).path | Should -Be @('/api/v4/personal_access_tokens/1', '/api/v4/personal_access_tokens/3')
    }

    It '-PassThru returns the ids revoked; without it there is no output' {
        Add-FakePat @{ username = 'jsmith'; name = 'j'; count = 2 } | Out-Null
        @(Revoke-GitlabPersonalAccessToken -TokenId 1 -Confirm:$false) | Should -BeNullOrEmpty
        $ids = @(Remove-GitlabPersonalAccessToken -Id 2 -Confirm:$false -PassThru)
        $ids | Should -Be @(2)
        $ids[0] | Should -BeOfType [long]
    }

    It 'reports each failing record by ErrorId and goes on with the others' {
        Add-FakePat @{ username = 'jsmith'; name = 'j' } | Out-Null
        Add-FakePat @{ username = 'alice'; name = 'a' } | Out-Null
        $env:GITLAB_ACCESS_TOKEN = $Fake.UserToken
        try {
            $ids = @('404', '2', 'abc', '1' | ForEach-Object { [pscustomobject]@{ Id = $_ } } |
                    Revoke-GitlabPersonalAccessToken -Confirm:$false -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        $ids | Should -Be @(1)
        $failures.FullyQualifiedErrorId | Should -Be @(
            'GitlabCli.InvalidArgument,GitlabCli.RevokeGitlabPersonalAccessTokenCommand'
            'GitlabCli.NotFound,GitlabCli.RevokeGitlabPersonalAccessTokenCommand'
            'GitlabCli.Forbidden,GitlabCli.RevokeGitlabPersonalAccessTokenCommand'
        )
        $failures[0].TargetObject.Id | Should -Be 'abc'
    }

    It '-Self revokes the token in use' {
        $value = (Add-FakePat @{ username = 'alice'; name = 'ci'; scopes = @('read_api'); value = 'glpat-alice-self-000002' })[0].token
        $env:GITLAB_ACCESS_TOKEN = $value
        try {
            Revoke-GitlabPersonalAccessToken -Self -Confirm:$false -PassThru | Should -Be 1
            { Get-GitlabPersonalAccessToken -Self -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabCli.Unauthorized,GitlabCli.GetGitlabPersonalAccessTokenCommand'
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
    }
}

Describe 'Invoke-GitlabPersonalAccessTokenRotation' {
    BeforeEach { Reset-Fake $Fake }

    It 'returns a Gitlab.NewPersonalAccessToken with the new token, and the old one stops working' {
        $old = (Add-FakePat @{ username = 'jsmith'; name = 'CI'; scopes = @('api'); value = 'glpat-old-ci-token-0001' })[0]
        $date = (Get-Date).Date.AddDays(40).ToString('yyyy-MM-dd')
        $new = Invoke-GitlabPersonalAccessTokenRotation -TokenId $old.id -ExpiresAt $date -Confirm:$false
        $new.PSObject.TypeNames[0] | Should -Be 'Gitlab.NewPersonalAccessToken'
        $new.Id | Should -Be 2
        $new.Name | Should -Be 'CI'
        $new.ExpiresAt.ToString('yyyy-MM-dd') | Should -Be $date
        $new.Token | Should -BeLike 'glpat-*'
        $new.Token | Should -Not -Be $old.token
        (Get-FakeWrite).body.expires_at | Should -Be $date
        $env:GITLAB_ACCESS_TOKEN = $old.token
        try {
            { Get-GitlabPersonalAccessToken -Self -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabCli.Unauthorized,GitlabCli.GetGitlabPersonalAccessTokenCommand'
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
    }

    It 'does not touch the clipboard unless asked' {
        Add-FakePat @{ username = 'jsmith'; name = 'CI' } | Out-Null
        $savedDisplay = $env:DISPLAY
        $env:DISPLAY = $null
        try {
            $new = Rotate-GitlabPersonalAccessToken 1 -Confirm:$false -WarningVariable warnings
            $new.Token | Should -BeLike 'glpat-*'
            @($warnings).Count | Should -Be 0 -Because 'without -CopyToClipboard no copy is tried'
            # Asked, with no display: the token still comes out, with a warning.
            $again = Rotate-GitlabPersonalAccessToken 2 -CopyToClipboard -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue
            $again.Token | Should -BeLike 'glpat-*'
            @($warnings).Count | Should -Be 1
            "$($warnings[0])" | Should -BeLike "*was rotated but could not be copied*"
            "$($warnings[0])" | Should -Not -BeLike "*$($again.Token)*"
        } finally {
            $env:DISPLAY = $savedDisplay
        }
    }

    It '-WhatIf describes the rotation and sends nothing' {
        Add-FakePat @{ username = 'jsmith'; name = 'CI' } | Out-Null
        Clear-FakeRequest $Fake
        $run = Invoke-InScriptedHost -Script 'Invoke-GitlabPersonalAccessTokenRotation -TokenId 1 -ExpireInMonths 2 -WhatIf'
        $run.Output | Should -BeNullOrEmpty
        $line = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $line.Count | Should -Be 1
        $line[0] | Should -BeLike "*Rotate personal access token*new token expires *personal access token #1 on $($Fake.Url)*"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'applies New''s expiry rules before anything is sent' {
        Add-FakePat @{ username = 'jsmith'; name = 'CI' } | Out-Null
        Clear-FakeRequest $Fake
        { Invoke-GitlabPersonalAccessTokenRotation 1 -ExpiresAt '2001-01-01' -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
        { Invoke-GitlabPersonalAccessTokenRotation 1 -ExpireInMonths 0 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'refuses to rotate a revoked token before it is sent, so GitLab never revokes its family' {
        Add-FakePat @{ username = 'jsmith'; name = 'CI' } | Out-Null
        $new = Invoke-GitlabPersonalAccessTokenRotation 1 -Confirm:$false
        $err = { Invoke-GitlabPersonalAccessTokenRotation 1 -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand' -PassThru
        $err.Exception.Message | Should -BeLike '*family*'
        (Get-FakeToken $Fake | Where-Object id -EQ $new.Id).revoked | Should -BeFalse
    }

    It 'rotates every piped token, and refuses -CopyToClipboard for more than one' {
        Add-FakePat @{ username = 'jsmith'; name = 'r'; count = 3 } | Out-Null
        $new = @(Get-GitlabPersonalAccessToken | Invoke-GitlabPersonalAccessTokenRotation -Confirm:$false)
        $new.Name | Should -Be @('r 1', 'r 2', 'r 3')
        (Get-FakeWrite).path | Should -Be @(1, 2, 3 | ForEach-Object { "/api/v4/personal_access_tokens/$_/rotate" })

        Clear-FakeRequest $Fake
        { Get-GitlabPersonalAccessToken -State active | Invoke-GitlabPersonalAccessTokenRotation -CopyToClipboard -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
        @(Get-FakeWrite).Count | Should -Be 0
    }
}

Describe 'The lifecycle cmdlets'' surface' {
    It '<Name> asks by default: SupportsShouldProcess with ConfirmImpact High' -ForEach @(
        @{ Name = 'Invoke-GitlabPersonalAccessTokenRotation' }
        @{ Name = 'Revoke-GitlabPersonalAccessToken' }
    ) {
        $command = Get-Command $Name
        $command.Parameters.Keys | Should -Contain 'WhatIf'
        $binding = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
        $binding.SupportsShouldProcess | Should -BeTrue
        $binding.ConfirmImpact | Should -Be 'High'
        $token = $command.Parameters['TokenId']
        $token.Aliases | Should -Be @('Id')
        ($token.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }).ValueFromPipelineByPropertyName | Should -Contain $true
    }

    It 'Get- takes the documented parameters, TokenId at position 0' {
        $command = Get-Command Get-GitlabPersonalAccessToken
        foreach ($name in 'TokenId', 'UserId', 'Mine', 'Self', 'CreatedAfter', 'CreatedBefore', 'LastUsedAfter', 'LastUsedBefore',
            'ExpiresAfter', 'ExpiresBefore', 'State', 'Revoked', 'Search', 'MaxPages', 'All', 'SiteUrl') {
            $command.Parameters.Keys | Should -Contain $name
        }
        $command.Parameters['UserId'].Aliases | Should -Be @('Username', 'EmailAddress')
        $command.Parameters['TokenId'].Aliases | Should -Be @('Id')
        ($command.Parameters['TokenId'].ParameterSets.Values | Select-Object -First 1).Position | Should -Be 0
    }

    It 'completes -SiteUrl for <_>' -ForEach @('Get-GitlabPersonalAccessToken', 'Invoke-GitlabPersonalAccessTokenRotation', 'Revoke-GitlabPersonalAccessToken') {
        $line = "$_ -SiteUrl "
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches
        $completions.CompletionText | Should -Contain $Fake.Url
    }
}
