# Creating tokens for real: the module, the engine it stages and the fake GitLab.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'New-GitlabPersonalAccessToken creates tokens' {
    BeforeEach { Reset-Fake $Fake }

    It 'spec example 1: a token for yourself with api scope, expiring in 6 months' {
        $token = New-GitlabPersonalAccessToken -Name 'CI Token' -Scope 'api' -ExpireInMonths 6

        $expected = (Get-Date).Date.AddMonths(6)
        $posts = Get-FakeTokenPost $Fake
        $posts.Count | Should -Be 1
        $posts[0].path | Should -Be '/api/v4/users/1/personal_access_tokens'
        $posts[0].body.name | Should -Be 'CI Token'
        @($posts[0].body.scopes) | Should -Be @('api')
        $posts[0].body.expires_at | Should -Be $expected.ToString('yyyy-MM-dd')

        $issued = @(Get-FakeToken $Fake)
        $issued.Count | Should -Be 1
        $token.Token | Should -BeExactly $issued[0].token
        $token.Name | Should -Be 'CI Token'
        $token.ExpiresAt | Should -Be $expected
        $token.UserId | Should -Be 1
    }

    It 'spec example 3: a token for another user, looked up by username' {
        $token = New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Service Token' -Scope 'api'

        $requests = Get-FakeRequest $Fake
        @($requests | Where-Object { $_.path -eq '/api/v4/users' -and $_.query.username -eq 'jsmith' }).Count | Should -Be 1
        $posts = Get-FakeTokenPost $Fake
        $posts.Count | Should -Be 1
        $posts[0].path | Should -Be '/api/v4/users/42/personal_access_tokens'
        $posts[0].body.PSObject.Properties.Name | Should -Not -Contain 'expires_at'
        $token.UserId | Should -Be 42
        $token.ExpiresAt | Should -BeNullOrEmpty
    }

    It 'a numeric -UserId is sent as the user id, without a lookup' {
        $token = New-GitlabPersonalAccessToken -UserId '43' -Name 'By id' -Scope 'read_api'
        @(Get-FakeRequest $Fake | Where-Object { $_.path -eq '/api/v4/users' }).Count | Should -Be 0
        (Get-FakeTokenPost $Fake)[0].path | Should -Be '/api/v4/users/43/personal_access_tokens'
        $token.UserId | Should -Be 43
    }

    It 'sends any name intact: quotes, backslashes, non-ASCII letters and emoji' {
        $name = "Déploiement `"prod`" \\ 東京 🚀"
        $token = New-GitlabPersonalAccessToken -Name $name -Scope 'api'
        $token.Name | Should -BeExactly $name
        (Get-FakeTokenPost $Fake)[0].body.name | Should -BeExactly $name
    }

    It 'outputs a Gitlab.NewPersonalAccessToken with the documented properties and types' {
        $token = New-GitlabPersonalAccessToken -Name 'Typed' -Scope 'read_api', 'read_repository' -ExpireInMonths 1

        $token.PSObject.TypeNames[0] | Should -Be 'Gitlab.NewPersonalAccessToken'
        $token.PSObject.Properties.Name | Should -Be @('Id', 'Name', 'Revoked', 'CreatedAt', 'Description', 'Scopes',
            'UserId', 'LastUsedAt', 'Active', 'ExpiresAt', 'Token', 'SiteUrl')
        $token.Id | Should -BeOfType [long]
        $token.Id | Should -BeGreaterThan 0
        $token.Revoked | Should -BeFalse
        $token.Active | Should -BeTrue
        $token.CreatedAt | Should -BeOfType [datetime]
        $token.ExpiresAt | Should -BeOfType [datetime]
        $token.LastUsedAt | Should -BeNullOrEmpty
        # A list of strings whose text is the scopes (Export-Csv writes that), not System.String[].
        , $token.Scopes | Should -BeOfType [GitlabCli.ScopeList]
        , $token.Scopes | Should -BeOfType [System.Collections.Generic.IReadOnlyList[string]]
        $token.Scopes | Should -Be @('read_api', 'read_repository')
        $token.Token | Should -Match '^glpat-'
        $token.SiteUrl | Should -Be $Fake.Url
    }

    It 'takes UserId, Name, Scope and ExpiresAt by position' {
        $date = (Get-Date).Date.AddDays(40)
        $token = New-GitlabPersonalAccessToken 'alice' 'Positional' 'api', 'read_api' $date.ToString('yyyy-MM-dd')

        $post = (Get-FakeTokenPost $Fake)[0]
        $post.path | Should -Be '/api/v4/users/43/personal_access_tokens'
        $post.body.name | Should -Be 'Positional'
        @($post.body.scopes) | Should -Be @('api', 'read_api')
        $post.body.expires_at | Should -Be $date.ToString('yyyy-MM-dd')
        $token.Name | Should -Be 'Positional'
    }

    It 'binds ExpireInMonths and SiteUrl at positions 4 and 5 (and refuses both expiry options before sending)' {
        $date = (Get-Date).Date.AddDays(40).ToString('yyyy-MM-dd')
        $thrown = { New-GitlabPersonalAccessToken 'alice' 'Positional' 'api' $date 3 $Fake.Url -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.Exception.Message | Should -Match 'ExpireInMonths|expire_in_months'
        $thrown.TargetObject.ExpireInMonths | Should -Be 3
        $thrown.TargetObject.SiteUrl | Should -Be $Fake.Url
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'sends a [datetime] -ExpiresAt as its own yyyy-MM-dd date in the current culture (<Culture>)' -ForEach @(
        @{ Culture = 'de-DE' }
        @{ Culture = 'en-US' }
        @{ Culture = 'ja-JP' }
    ) {
        $date = (Get-Date).Date.AddDays(100)
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = [cultureinfo]::new($Culture)
            New-GitlabPersonalAccessToken -Name "Culture $Culture" -Scope 'api' -ExpiresAt $date | Out-Null
        } finally {
            [cultureinfo]::CurrentCulture = $saved
        }
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $date.ToString('yyyy-MM-dd')
    }

    It 'sends an -ExpiresAt .NET cannot read to the engine, which explains it' {
        $thrown = { New-GitlabPersonalAccessToken -Name 'Garbled' -Scope 'api' -ExpiresAt 'the day after the heat death' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $thrown.Exception.Parameter | Should -Be 'expires_at'
        $thrown.Exception.Message | Should -BeLike '*the day after the heat death*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'uses the site given with -SiteUrl from the config file, not the default one' {
        # The default site has nothing listening, so only the one named by -SiteUrl can answer.
        Set-TestConfig -Sites @(
            @{ Url = "http://127.0.0.1:$(Get-ClosedPort)"; AccessToken = 'not-this-one'; IsDefault = 'true' }
            @{ Url = $Fake.Url; AccessToken = $Fake.AdminToken; IsDefault = 'false' }
        )
        $savedUrl = $env:GITLAB_URL
        $savedToken = $env:GITLAB_ACCESS_TOKEN
        try {
            Remove-Item Env:\GITLAB_URL, Env:\GITLAB_ACCESS_TOKEN
            $token = New-GitlabPersonalAccessToken -Name 'From config' -Scope 'api' -SiteUrl $Fake.Url
        } finally {
            $env:GITLAB_URL = $savedUrl
            $env:GITLAB_ACCESS_TOKEN = $savedToken
            Remove-TestConfig
        }
        $token.SiteUrl | Should -Be $Fake.Url
        (Get-FakeTokenPost $Fake)[0].headers.'private-token' | Should -Be $Fake.AdminToken
    }
}

Describe 'The default table view' {
    BeforeAll {
        Reset-Fake $Fake
        $script:LongName = 'A token whose name goes on and on, far longer than any terminal column would allow without wrapping'
        $script:Created = New-GitlabPersonalAccessToken -Name $LongName -Scope 'api', 'read_api', 'read_repository', 'write_repository' -ExpireInMonths 2
    }

    It 'shows Id, UserId, Token, ExpiresAt, Scopes and Name' {
        $text = $Created | Format-Table | Out-String -Width 200
        $header = ($text -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 1) -split '\s+' | Where-Object { $_ }
        $header | Should -Be @('Id', 'UserId', 'Token', 'ExpiresAt', 'Scopes', 'Name')
        $text | Should -Match ([regex]::Escape($Created.ExpiresAt.ToString('yyyy-MM-dd')))
    }

    It 'never cuts the token short, even 80 columns wide with a long name' {
        $text = $Created | Format-Table | Out-String -Width 80
        $text | Should -Match ([regex]::Escape($Created.Token))
        ($Created | Out-String -Width 80) | Should -Match ([regex]::Escape($Created.Token))
    }
}
