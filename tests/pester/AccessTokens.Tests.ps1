# Group and project access tokens (issue 12): Get-, New-, Invoke-…Rotation and Remove-
# GitlabGroupAccessToken / GitlabProjectAccessToken, through the real module and engine against
# the fake GitLab, asserting on the fake's request log.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null
    $script:AliceToken = 'alice-token-for-the-tests'

    function script:Initialize-Owners {
        # group acme (1): jsmith Owner, alice (43) Maintainer; acme/platform (2); project
        # acme/platform/api (10), where alice inherits Maintainer.
        Reset-Fake $Fake
        Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body @{ username = 'alice'; name = 'alice'; value = $AliceToken } | Out-Null
        Invoke-Fake $Fake -Method POST -Path '/__fake/groups' -Body @{ groups = @(
                @{ id = 1; full_path = 'acme'; members = @(@{ username = 'jsmith'; access_level = 'owner' }, @{ user_id = 43; access_level = 40 }) },
                @{ id = 2; full_path = 'acme/platform' }) } | Out-Null
        Invoke-Fake $Fake -Method POST -Path '/__fake/projects' -Body @{ projects = @(@{ id = 10; full_path = 'acme/platform/api' }) } | Out-Null
        Clear-FakeRequest $Fake
    }

    function script:Add-ResourceToken {
        # Seeds group or project tokens in the fake; returns them with their values.
        param([Parameter(Mandatory)] [hashtable] $Spec)
        @(Invoke-Fake $Fake -Method POST -Path '/__fake/resource-tokens' -Body $Spec)
    }

    function script:Get-FakeWrite {
        @(Get-FakeRequest $Fake | Where-Object { $_.method -ne 'GET' })
    }

    function script:Invoke-AsAlice {
        param([Parameter(Mandatory)] [scriptblock] $Script)
        $saved = $env:GITLAB_ACCESS_TOKEN
        $env:GITLAB_ACCESS_TOKEN = $AliceToken
        try { & $Script } finally { $env:GITLAB_ACCESS_TOKEN = $saved }
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'The module surface of group and project access tokens' {
    It 'exports <Name>' -TestCases @(
        @{ Name = 'Get-GitlabGroupAccessToken' }, @{ Name = 'New-GitlabGroupAccessToken' }
        @{ Name = 'Invoke-GitlabGroupAccessTokenRotation' }, @{ Name = 'Remove-GitlabGroupAccessToken' }
        @{ Name = 'Get-GitlabProjectAccessToken' }, @{ Name = 'New-GitlabProjectAccessToken' }
        @{ Name = 'Invoke-GitlabProjectAccessTokenRotation' }, @{ Name = 'Remove-GitlabProjectAccessToken' }
    ) {
        param($Name)
        (Get-Command $Name -Module GitlabCli).CommandType | Should -Be 'Cmdlet'
    }

    It 'exports the alias <Alias> for <Name>' -TestCases @(
        @{ Alias = 'Rotate-GitlabGroupAccessToken'; Name = 'Invoke-GitlabGroupAccessTokenRotation' }
        @{ Alias = 'Revoke-GitlabGroupAccessToken'; Name = 'Remove-GitlabGroupAccessToken' }
        @{ Alias = 'Rotate-GitlabProjectAccessToken'; Name = 'Invoke-GitlabProjectAccessTokenRotation' }
        @{ Alias = 'Revoke-GitlabProjectAccessToken'; Name = 'Remove-GitlabProjectAccessToken' }
    ) {
        param($Alias, $Name)
        (Get-Alias $Alias).ResolvedCommandName | Should -Be $Name
    }

    It 'has pwsh-gitlab''s owner parameters at position 0 from the pipeline, and -TokenId at 1' {
        foreach ($kind in 'Group', 'Project') {
            foreach ($verb in 'Get-Gitlab{0}AccessToken', 'New-Gitlab{0}AccessToken', 'Invoke-Gitlab{0}AccessTokenRotation', 'Remove-Gitlab{0}AccessToken') {
                $command = Get-Command ($verb -f $kind)
                $owner = $command.Parameters["${kind}Id"]
                $owner | Should -Not -BeNullOrEmpty -Because $command.Name
                $owner.ParameterSets.Values.Position | Should -Contain 0
                $owner.ParameterSets.Values.ValueFromPipelineByPropertyName | Should -Contain $true
                if ($command.Parameters.ContainsKey('TokenId')) {
                    $command.Parameters.TokenId.ParameterSets.Values.Position | Should -Contain 1
                }
            }
        }
        (Get-Command New-GitlabGroupAccessToken).Parameters.Scope.Aliases | Should -Contain 'Scopes'
        (Get-Command New-GitlabProjectAccessToken).Parameters.Scopes.Aliases | Should -Contain 'Scope'
        (Get-Command Invoke-GitlabGroupAccessTokenRotation).Parameters.Force | Should -Not -BeNullOrEmpty
        (Get-Command Invoke-GitlabProjectAccessTokenRotation).Parameters.Self | Should -Not -BeNullOrEmpty
    }

    It 'asks before rotating or removing (ConfirmImpact High)' {
        foreach ($name in 'Invoke-GitlabGroupAccessTokenRotation', 'Remove-GitlabGroupAccessToken', 'Invoke-GitlabProjectAccessTokenRotation', 'Remove-GitlabProjectAccessToken') {
            $type = (Get-Command $name).ImplementingType
            $attribute = $type.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true)[0]
            $attribute.ConfirmImpact | Should -Be 'High' -Because $name
        }
    }

    It 'completes -AccessLevel, -Scope / -Scopes and -Sort from the engine''s lists' {
        $written = 'New-GitlabGroupAccessToken -AccessLevel '
        $levels = (TabExpansion2 -inputScript $written -cursorColumn $written.Length).CompletionMatches.CompletionText
        $levels | Should -Be @('guest', 'planner', 'reporter', 'developer', 'maintainer', 'owner')
        $written = 'New-GitlabProjectAccessToken -Scopes '
        $scopes = (TabExpansion2 -inputScript $written -cursorColumn $written.Length).CompletionMatches.CompletionText
        $scopes | Should -Contain 'api'
        $scopes | Should -Contain 'self_rotate'
        $scopes | Should -Not -Contain 'sudo'
        $scopes | Should -Not -Contain 'admin_mode'
        $scopes | Should -Not -Contain 'read_user'
        $written = 'New-GitlabGroupAccessToken -Scope read_'
        (TabExpansion2 -inputScript $written -cursorColumn $written.Length).CompletionMatches.CompletionText | Should -Not -Contain 'read_user'
        $written = 'Get-GitlabGroupAccessToken acme -Sort name'
        (TabExpansion2 -inputScript $written -cursorColumn $written.Length).CompletionMatches.CompletionText | Should -Be @('name_asc', 'name_desc')
    }
}

Describe 'Get-GitlabGroupAccessToken and Get-GitlabProjectAccessToken' {
    BeforeEach { Initialize-Owners }

    It 'returns Gitlab.AccessToken objects: [datetime] dates, the level by name, the group, no value' {
        Add-ResourceToken @{ group = 1; name = 'CI'; access_level = 'developer'; scopes = @('api', 'read_api'); expires_at = '2099-01-31'; last_used_at = '2025-06-01T08:00:00.000Z' } | Out-Null
        $tokens = @(Get-GitlabGroupAccessToken acme)
        $tokens.Count | Should -Be 1
        $t = $tokens[0]
        $t.PSObject.TypeNames[0] | Should -Be 'Gitlab.AccessToken'
        $t.Name | Should -Be 'CI'
        $t.AccessLevel | Should -Be 'developer'
        $t.AccessLevelValue | Should -Be 30
        $t.GroupId | Should -Be 'acme'
        $t.ResourceType | Should -Be 'group'
        $t.ResourceId | Should -Be 1
        $t.ExpiresAt | Should -BeOfType [datetime]
        $t.ExpiresAt.ToString('yyyy-MM-dd') | Should -Be '2099-01-31'
        $t.LastUsedAt | Should -BeOfType [datetime]
        $t.CreatedAt | Should -BeOfType [datetime]
        $t.PSObject.Properties.Name | Should -Not -Contain 'Token'
        (Get-FakeRequest $Fake)[0].path | Should -Be '/api/v4/groups/acme/access_tokens'
    }

    It 'shows the table with the resource path and the access level by name' {
        Add-ResourceToken @{ project = 10; name = 'Tabled'; access_level = 'reporter'; expires_at = '2099-01-31' } | Out-Null
        $lines = (Get-GitlabProjectAccessToken acme/platform/api | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '\S' }
        ($lines[0] -split '\s+' | Where-Object { $_ }) | Should -Be @('Id', 'Resource', 'Name', 'AccessLevel', 'Scopes', 'Active', 'ExpiresAt', 'LastUsedAt')
        $lines[2] | Should -Match 'acme/platform/api\s+Tabled\s+reporter'
    }

    It 'sends a full path as one URL-encoded segment, and a numeric id as it is' {
        Get-GitlabProjectAccessToken acme/platform/api | Out-Null
        Get-GitlabProjectAccessToken -ProjectId 10 | Out-Null
        (Get-FakeRequest $Fake)[0].path | Should -Be '/api/v4/projects/acme%2Fplatform%2Fapi/access_tokens'
        (Get-FakeRequest $Fake)[1].path | Should -Be '/api/v4/projects/10/access_tokens'
    }

    It 'sends every filter GitLab documents, with -Sort' {
        Get-GitlabGroupAccessToken -GroupId acme -CreatedAfter ([datetime]'2025-01-31') -CreatedBefore 2025-12-31 -LastUsedAfter 2025-02-01 -LastUsedBefore 2025-06-30 `
            -ExpiresAfter 2026-01-01 -ExpiresBefore 2099-01-01 -State inactive -Revoked -Search bot -Sort name_desc | Out-Null
        $q = (Get-FakeRequest $Fake)[0].query
        $q.created_after | Should -Be '2025-01-31'
        $q.created_before | Should -Be '2025-12-31'
        $q.last_used_after | Should -Be '2025-02-01'
        $q.last_used_before | Should -Be '2025-06-30'
        $q.expires_after | Should -Be '2026-01-01'
        $q.expires_before | Should -Be '2099-01-01'
        $q.state | Should -Be 'inactive'
        $q.revoked | Should -Be 'true'
        $q.search | Should -Be 'bot'
        $q.sort | Should -Be 'name_desc'
    }

    It 'refuses a sort GitLab does not have, naming the valid ones, and sends nothing' {
        Get-GitlabGroupAccessToken acme -Sort newest -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $err[0].Exception.Message | Should -Match "'newest'"
        $err[0].Exception.Message | Should -Match 'name_asc'
        Get-FakeRequest $Fake | Should -BeNullOrEmpty
    }

    It 'fetches one page by default and warns that more exist; -All gets every one' {
        Add-ResourceToken @{ group = 1; name = 'bulk'; count = 130 } | Out-Null
        $first = @(Get-GitlabGroupAccessToken acme -WarningVariable warnings -WarningAction SilentlyContinue)
        $first.Count | Should -Be 100
        $warnings[0] | Should -Match 'More group access tokens exist than the 100 shown'
        @(Get-GitlabGroupAccessToken acme -All -WarningVariable none).Count | Should -Be 130
        $none | Should -BeNullOrEmpty
        @(Get-GitlabGroupAccessToken acme -MaxPages 2 -WarningAction SilentlyContinue).Count | Should -Be 130
    }

    It 'stops paging when the pipeline stops' {
        Add-ResourceToken @{ group = 1; name = 'bulk'; count = 230 } | Out-Null
        Clear-FakeRequest $Fake
        @(Get-GitlabGroupAccessToken acme -All | Select-Object -First 3).Count | Should -Be 3
        @(Get-FakeRequest $Fake).Count | Should -Be 1
    }

    It 'gets one token with -TokenId (position 1), and says when it is not the group''s' {
        $seeded = Add-ResourceToken @{ group = 1; name = 'one' }
        $t = Get-GitlabGroupAccessToken acme $seeded[0].id
        $t.Name | Should -Be 'one'
        $t.PSObject.TypeNames[0] | Should -Be 'Gitlab.AccessToken'
        Get-GitlabGroupAccessToken acme -TokenId 424242 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound*'
    }

    It 'says GitlabCli.NotFound for a group that does not exist or cannot be seen' {
        Get-GitlabGroupAccessToken nope -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound*'
        $err[0].Exception.Message | Should -Match 'nope'
        Get-GitlabProjectAccessToken acme/nothing -ErrorVariable err2 -ErrorAction SilentlyContinue | Out-Null
        $err2[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound*'
    }

    It 'says GitlabCli.Unauthorized with the role rule for a caller who is not the group''s Owner' {
        Invoke-AsAlice { Get-GitlabGroupAccessToken acme -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null; $script:aliceErr = $err }
        $aliceErr[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.Unauthorized*'
        $aliceErr[0].ErrorDetails.RecommendedAction | Should -Match 'Owner role'
    }

    It 'reads the groups from piped objects with a GroupId property' {
        Add-ResourceToken @{ group = 1; name = 'a' } | Out-Null
        Add-ResourceToken @{ group = 2; name = 'b' } | Out-Null
        $tokens = @([pscustomobject]@{ GroupId = 'acme' }, [pscustomobject]@{ GroupId = 'acme/platform' } | Get-GitlabGroupAccessToken)
        $tokens.Name | Should -Be @('a', 'b')
        $tokens.GroupId | Should -Be @('acme', 'acme/platform')
    }
}

Describe 'New-GitlabGroupAccessToken and New-GitlabProjectAccessToken' {
    BeforeEach { Initialize-Owners }

    It 'creates a group token with -Scope, -AccessLevel by name, -Description and -ExpiresAt' {
        $t = New-GitlabGroupAccessToken acme -Name 'CI bot' -Scope api, read_registry -AccessLevel developer -Description deploys -ExpiresAt ([datetime]'2099-01-31')
        $t.PSObject.TypeNames[0] | Should -Be 'Gitlab.NewAccessToken'
        $t.Token | Should -Not -BeNullOrEmpty
        $t.AccessLevel | Should -Be 'developer'
        $t.GroupId | Should -Be 'acme'
        $t.Description | Should -Be 'deploys'
        $t.ExpiresAt | Should -BeOfType [datetime]
        $post = Get-FakeWrite
        $post.Count | Should -Be 1
        $post[0].path | Should -Be '/api/v4/groups/acme/access_tokens'
        $post[0].body.name | Should -Be 'CI bot'
        $post[0].body.scopes | Should -Be @('api', 'read_registry')
        $post[0].body.access_level | Should -Be 30
        $post[0].body.description | Should -Be 'deploys'
        $post[0].body.expires_at | Should -Be '2099-01-31'
        ($t | Format-Table | Out-String -Width 250) | Should -Match ([regex]::Escape($t.Token))
    }

    It 'takes -Scopes on group tokens and -Scope on project tokens (each the other''s alias)' {
        New-GitlabGroupAccessToken -GroupId 1 -Name g -Scopes read_api | Out-Null
        New-GitlabProjectAccessToken -ProjectId 10 -Name p -Scope read_api | Out-Null
        New-GitlabProjectAccessToken -ProjectId 10 -Name q -Scopes read_repository -AccessLevel 20 | Out-Null
        $posts = @(Get-FakeWrite)
        $posts.body.scopes | Should -Be @('read_api', 'read_api', 'read_repository')
        $posts[2].body.access_level | Should -Be 20
        $posts[1].path | Should -Be '/api/v4/projects/10/access_tokens'
    }

    It 'sends GitLab''s default level when -AccessLevel is left out, and -ExpireInMonths as a date' {
        $t = New-GitlabProjectAccessToken acme/platform/api -Name p -Scopes api -ExpireInMonths 2
        $post = (Get-FakeWrite)[0]
        $post.body.PSObject.Properties.Name | Should -Not -Contain 'access_level'
        $t.AccessLevel | Should -Be 'maintainer'
        $post.body.expires_at | Should -Match '^\d{4}-\d{2}-\d{2}$'
    }

    It 'refuses a scope group tokens cannot take (<Scope>) before sending, naming the valid ones' -TestCases @(
        @{ Scope = 'sudo' }, @{ Scope = 'admin_mode' }, @{ Scope = 'read_user' }, @{ Scope = 'apii' }
    ) {
        param($Scope)
        New-GitlabGroupAccessToken acme -Name x -Scope api, $Scope -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $err[0].Exception.Message | Should -Match $Scope
        $err[0].Exception.Message | Should -Match 'read_api'
        Get-FakeRequest $Fake | Should -BeNullOrEmpty
    }

    It 'refuses an unknown access level before sending, naming the valid ones' {
        New-GitlabProjectAccessToken 10 -Name x -Scopes api -AccessLevel admin -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $err[0].Exception.Message | Should -Match '-AccessLevel'
        $err[0].Exception.Message | Should -Match 'maintainer'
        Get-FakeRequest $Fake | Should -BeNullOrEmpty
    }

    It 'says GitlabCli.NotFound for a project that does not exist' {
        New-GitlabProjectAccessToken acme/nothing -Name x -Scopes api -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound*'
    }

    It 'says GitlabCli.Forbidden and explains the Owner rule when a Maintainer creates a group token' {
        Invoke-AsAlice { New-GitlabGroupAccessToken acme -Name x -Scope api -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null; $script:aliceErr = $err }
        $aliceErr[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.Forbidden*'
        $aliceErr[0].ErrorDetails.RecommendedAction | Should -Match 'Owner role'
        $aliceErr[0].Exception.Message | Should -Match 'User does not have permission to create group access token'
    }

    It 'says GitlabCli.InvalidArgument for a level above the caller''s own' {
        Invoke-AsAlice { New-GitlabProjectAccessToken 10 -Name x -Scopes api -AccessLevel owner -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null; $script:aliceErr = $err }
        $aliceErr[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $aliceErr[0].Exception.Message | Should -Match 'owner \(50\)'
        $aliceErr[0].Exception.Parameter | Should -Be 'access_level'
    }

    It 'gives GitLab''s message word for word for an expiry beyond the instance''s maximum' {
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ require_expiry = $true; max_lifetime_days = 30 } | Out-Null
        New-GitlabProjectAccessToken 10 -Name x -Scopes api -ExpireInMonths 6 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $said = $err[0].Exception.GitlabMessage
        $said | Should -Match '^400 Bad request - Expires at must be before \d{4}-\d{2}-\d{2}$'
        $err[0].Exception.Message | Should -BeLike "*$said*"
    }

    It 'creates the group tokens of a CSV file (Import-Csv | New-GitlabGroupAccessToken)' {
        $csv = Join-Path $TestDrive 'tokens.csv'
        @(
            [pscustomobject]@{ GroupId = 'acme'; Name = 'deploy'; Scope = 'api, read_registry'; AccessLevel = 'developer'; Description = 'deploys'; ExpiresAt = '2099-03-01' }
            [pscustomobject]@{ GroupId = 'acme/platform'; Name = 'read'; Scope = 'read_api'; AccessLevel = ''; Description = ''; ExpiresAt = '' }
        ) | Export-Csv -LiteralPath $csv
        $tokens = @(Import-Csv -LiteralPath $csv | New-GitlabGroupAccessToken)
        $tokens.Count | Should -Be 2
        $tokens.Name | Should -Be @('deploy', 'read')
        $tokens.GroupId | Should -Be @('acme', 'acme/platform')
        # The requests run side by side: take them by name.
        $posts = @(Get-FakeWrite | Sort-Object { $_.body.name })
        $posts[0].body.scopes | Should -Be @('api', 'read_registry')
        $posts[0].body.access_level | Should -Be 30
        $posts[0].body.description | Should -Be 'deploys'
        $posts[0].body.expires_at | Should -Be '2099-03-01'
        $posts[0].path | Should -Be '/api/v4/groups/acme/access_tokens'
        $posts[1].path | Should -Be '/api/v4/groups/acme%2Fplatform/access_tokens'
        $posts[1].body.scopes | Should -Be @('read_api')
        # Empty cells are left out, not sent as empty values.
        $posts[1].body.PSObject.Properties.Name | Should -Not -Contain 'access_level'
        $posts[1].body.PSObject.Properties.Name | Should -Not -Contain 'description'
        # The tokens' Scopes export to CSV as text, and read back in.
        $out = Join-Path $TestDrive 'out.csv'
        $tokens | Export-Csv -LiteralPath $out
        (Import-Csv -LiteralPath $out)[0].Scopes | Should -Be 'api, read_registry'
    }

    It 'refuses -CopyToClipboard for more than one record, sending nothing' {
        @([pscustomobject]@{ Name = 'a' }, [pscustomobject]@{ Name = 'b' }) |
            New-GitlabProjectAccessToken -ProjectId 10 -Scopes api -CopyToClipboard -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $err[0].Exception.Message | Should -Match 'CopyToClipboard holds one token'
        Get-FakeWrite | Should -BeNullOrEmpty
    }

    It 'takes -SiteUrl on every cmdlet, and refuses a site that is not configured before sending' {
        $t = New-GitlabGroupAccessToken acme -Name s -Scope api -SiteUrl $Fake.Url
        $t.SiteUrl | Should -Be $Fake.Url
        (Get-GitlabGroupAccessToken acme -SiteUrl $Fake.Url).Id | Should -Be $t.Id
        $new = Invoke-GitlabGroupAccessTokenRotation acme $t.Id -SiteUrl $Fake.Url -Confirm:$false
        Remove-GitlabGroupAccessToken acme $new.Id -SiteUrl $Fake.Url -Confirm:$false -PassThru | Should -Be $new.Id
        Clear-FakeRequest $Fake
        foreach ($call in @(
                { Get-GitlabProjectAccessToken 10 -SiteUrl https://elsewhere.example -ErrorAction Stop }
                { New-GitlabProjectAccessToken 10 -Name x -Scopes api -SiteUrl https://elsewhere.example -ErrorAction Stop }
                { Invoke-GitlabProjectAccessTokenRotation 10 1 -SiteUrl https://elsewhere.example -Confirm:$false -ErrorAction Stop }
                { Remove-GitlabProjectAccessToken 10 1 -SiteUrl https://elsewhere.example -Confirm:$false -ErrorAction Stop })) {
            $thrown = $call | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'GitlabCli.Config*'
            $thrown.Exception.Message | Should -Match 'elsewhere.example'
        }
        Get-FakeRequest $Fake | Should -BeNullOrEmpty
    }

    It 'sends nothing with -WhatIf' {
        New-GitlabGroupAccessToken acme -Name x -Scope api -WhatIf | Should -BeNullOrEmpty
        Get-FakeWrite | Should -BeNullOrEmpty
    }

    It 'reads . as the project of the current directory''s git checkout (its origin remote)' {
        $checkout = Join-Path $TestDrive 'checkout'
        New-Item -ItemType Directory -Path (Join-Path $checkout '.git') -Force | Out-Null
        New-Item -ItemType Directory -Path (Join-Path $checkout 'src/deep') -Force | Out-Null
        Set-Content -LiteralPath (Join-Path $checkout '.git/config') -Value "[core]`n`tbare = false`n[remote `"origin`"]`n`turl = git@gitlab.example.com:acme/platform/api.git`n"
        Push-Location (Join-Path $checkout 'src/deep')
        try {
            $t = New-GitlabProjectAccessToken . -Name dot -Scopes read_api
            $listed = @(Get-GitlabProjectAccessToken .)
        }
        finally { Pop-Location }
        $t.ProjectId | Should -Be 'acme/platform/api'
        $t.ResourceId | Should -Be 10
        $listed.Name | Should -Be @('dot')
        (Get-FakeWrite)[0].path | Should -Be '/api/v4/projects/acme%2Fplatform%2Fapi/access_tokens'
    }
}

Describe 'Invoke-GitlabGroupAccessTokenRotation and Invoke-GitlabProjectAccessTokenRotation' {
    BeforeEach { Initialize-Owners }

    It 'rotates a group token by -TokenId (position 1): a new value, the old one revoked' {
        $old = Add-ResourceToken @{ group = 1; name = 'rot'; access_level = 'developer' }
        $new = Invoke-GitlabGroupAccessTokenRotation acme $old[0].id -ExpireInMonths 1 -Confirm:$false
        $new.PSObject.TypeNames[0] | Should -Be 'Gitlab.NewAccessToken'
        $new.Id | Should -Not -Be $old[0].id
        $new.Token | Should -Not -Be $old[0].token
        $new.AccessLevel | Should -Be 'developer'
        (Get-FakeWrite)[0].path | Should -Be "/api/v4/groups/acme/access_tokens/$($old[0].id)/rotate"
        (Get-GitlabGroupAccessToken acme -State all | Where-Object Id -EQ $old[0].id).Revoked | Should -BeTrue
    }

    It 'rotates what Get-GitlabProjectAccessToken pipes in, asking nothing with -Confirm:$false' {
        Add-ResourceToken @{ project = 10; name = 'p1' } | Out-Null
        Add-ResourceToken @{ project = 10; name = 'p2' } | Out-Null
        $rotated = @(Get-GitlabProjectAccessToken acme/platform/api | Rotate-GitlabProjectAccessToken -Confirm:$false)
        $rotated.Name | Should -Be @('p1', 'p2')
        $rotated.ProjectId | Should -Be @('acme/platform/api', 'acme/platform/api')
        @(Get-FakeWrite | Where-Object path -Like '*/rotate').Count | Should -Be 2
    }

    It 'refuses a piped revoked token, and an inactive one without -Force, sending no rotation' {
        Add-ResourceToken @{ group = 1; name = 'gone'; revoked = $true } | Out-Null
        Add-ResourceToken @{ group = 1; name = 'old'; expires_at = '2001-01-01' } | Out-Null
        $listed = @(Get-GitlabGroupAccessToken acme -State all)
        $listed.Count | Should -Be 2
        $listed | Invoke-GitlabGroupAccessTokenRotation -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err.Count | Should -Be 2
        $err | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*' }
        Get-FakeWrite | Should -BeNullOrEmpty
    }

    It 'refuses -Active and -Revoked typed on the command line' {
        Invoke-GitlabProjectAccessTokenRotation 10 5 -Active $true -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument*'
        $err[0].Exception.Message | Should -Match 'Get-GitlabProjectAccessToken'
        Get-FakeRequest $Fake | Should -BeNullOrEmpty
    }

    It 'sends nothing with -WhatIf' {
        $old = Add-ResourceToken @{ project = 10; name = 'w' }
        Invoke-GitlabProjectAccessTokenRotation -ProjectId 10 -TokenId $old[0].id -WhatIf | Should -BeNullOrEmpty
        Get-FakeWrite | Should -BeNullOrEmpty
    }

    It 'rotates the access token in use with -Self (GitLab''s self/rotate)' {
        $own = Add-ResourceToken @{ project = 10; name = 'me'; scopes = @('api') }
        $saved = $env:GITLAB_ACCESS_TOKEN
        $env:GITLAB_ACCESS_TOKEN = $own[0].token
        try { $new = Invoke-GitlabProjectAccessTokenRotation 10 -Self -Confirm:$false } finally { $env:GITLAB_ACCESS_TOKEN = $saved }
        $new.Name | Should -Be 'me'
        (Get-FakeWrite)[0].path | Should -Be '/api/v4/projects/10/access_tokens/self/rotate'
    }
}

Describe 'Remove-GitlabGroupAccessToken and Remove-GitlabProjectAccessToken' {
    BeforeEach { Initialize-Owners }

    It 'revokes a group token by -TokenId (position 1); -PassThru outputs its id' {
        $t = Add-ResourceToken @{ group = 1; name = 'rm' }
        Remove-GitlabGroupAccessToken acme $t[0].id -Confirm:$false -PassThru | Should -Be $t[0].id
        (Get-FakeWrite)[0].method | Should -Be 'DELETE'
        (Get-FakeWrite)[0].path | Should -Be "/api/v4/groups/acme/access_tokens/$($t[0].id)"
    }

    It 'revokes what Get-GitlabProjectAccessToken pipes in (alias Revoke-GitlabProjectAccessToken)' {
        Add-ResourceToken @{ project = 10; name = 'r'; count = 3 } | Out-Null
        Get-GitlabProjectAccessToken 10 | Revoke-GitlabProjectAccessToken -Confirm:$false
        @(Get-FakeWrite | Where-Object method -EQ 'DELETE').Count | Should -Be 3
        Get-GitlabProjectAccessToken 10 | Should -BeNullOrEmpty
    }

    It 'revokes piped group tokens through Remove-GitlabGroupAccessToken' {
        Add-ResourceToken @{ group = 2; name = 'g'; count = 2 } | Out-Null
        Get-GitlabGroupAccessToken acme/platform | Remove-GitlabGroupAccessToken -Confirm:$false
        @(Get-FakeWrite | Where-Object { $_.method -eq 'DELETE' -and $_.path -like '/api/v4/groups/acme*platform/access_tokens/*' }).Count | Should -Be 2
    }

    It 'sends nothing with -WhatIf' {
        $t = Add-ResourceToken @{ group = 1; name = 'keep' }
        Get-GitlabGroupAccessToken acme | Remove-GitlabGroupAccessToken -WhatIf
        Get-FakeWrite | Should -BeNullOrEmpty
        (Get-GitlabGroupAccessToken acme).Id | Should -Be $t[0].id
    }

    It 'says GitlabCli.NotFound for a token that is not the project''s' {
        Remove-GitlabProjectAccessToken 10 424242 -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound*'
    }

    It 'says GitlabCli.Forbidden when the caller may not delete the token' {
        $t = Add-ResourceToken @{ group = 1; name = 'theirs' }
        Invoke-AsAlice { Remove-GitlabGroupAccessToken acme $t[0].id -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue; $script:aliceErr = $err }
        $aliceErr[0].FullyQualifiedErrorId | Should -Match '^GitlabCli\.(Forbidden|Unauthorized)'
    }
}

Describe 'A pipeline of project tokens stopped with Ctrl+C against a slow GitLab' {
    BeforeEach { Initialize-Owners }
    AfterEach { Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ delay_ms = 0 } | Out-Null }

    It 'revokes each new token nobody could see as the project''s token (never through the personal route)' {
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ delay_ms = 1500 } | Out-Null
        $run = Stop-PipelineMidRun -Concurrency 4 -Script {
            param($Manifest)
            Import-Module $Manifest
            1..12 | ForEach-Object { [pscustomobject]@{ ProjectId = 'acme/platform/api'; Name = "Stopped $_" } } |
                New-GitlabProjectAccessToken -Scopes api
        } -Started { @(Get-FakeWrite | Where-Object method -EQ 'POST').Count -ge 1 }
        $run.Completed | Should -BeTrue
        $output = $run.Output
        $writes = @(Get-FakeWrite)
        @($writes | Where-Object method -EQ 'POST').Count | Should -BeGreaterThan 0
        $writes.path | Should -Not -Contain '/api/v4/personal_access_tokens'
        @($writes | Where-Object { $_.path -like '/api/v4/personal_access_tokens*' }) | Should -BeNullOrEmpty
        $delivered = @($output | ForEach-Object Token)
        $all = @(Invoke-Fake $Fake -Path '/__fake/resource-tokens' | ForEach-Object { $_ })
        $undelivered = @($all | Where-Object { -not $_.revoked -and $_.token -notin $delivered })
        $undelivered | Should -BeNullOrEmpty -Because 'a token nobody holds must have been revoked'
        @($writes | Where-Object method -EQ 'DELETE').path | ForEach-Object { $_ | Should -BeLike '/api/v4/projects/10/access_tokens/*' }
    }
}
