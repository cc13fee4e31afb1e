# Sites from the environment and the config file shared with pwsh-gitlab, and -SiteUrl's tab
# completion from the engine's list-sites.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Get-SiteCompletion([string] $Word) {
        $line = "New-GitlabPersonalAccessToken -Name x -Scope api -SiteUrl $Word"
        @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe '-SiteUrl completion' {
    AfterEach { Remove-TestConfig }

    It 'lists the environment''s site and every site of the config file' {
        Set-TestConfig -Sites @(
            @{ Url = 'https://gitlab.example.com'; AccessToken = 'config-token-1'; IsDefault = 'true' }
            @{ Url = 'https://code.example.org'; AccessToken = 'config-token-2'; IsDefault = $false }
        )
        $found = Get-SiteCompletion ''
        $found.CompletionText | Sort-Object | Should -Be (@($Fake.Url, 'https://code.example.org', 'https://gitlab.example.com') | Sort-Object)
        $found | ForEach-Object { $_.ResultType | Should -Be 'ParameterValue' }
        ($found | Where-Object CompletionText -EQ 'https://gitlab.example.com').ToolTip | Should -BeLike '*config file*'
        # Completion never shows a token.
        ($found.ToolTip -join ' ') | Should -Not -BeLike '*config-token*'
    }

    It 'completes -SiteUrl on <Command> too' -ForEach @(
        @{ Command = 'Get-GitlabPersonalAccessToken' }
        @{ Command = 'Invoke-GitlabPersonalAccessTokenRotation 1' }
        @{ Command = 'Rotate-GitlabPersonalAccessToken 1' }
        @{ Command = 'Revoke-GitlabPersonalAccessToken 1' }
        @{ Command = 'Remove-GitlabPersonalAccessToken 1' }
    ) {
        $line = "$Command -SiteUrl "
        $found = @((TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches)
        $found.CompletionText | Should -Be @($Fake.Url)
    }

    It 'filters by what was typed, with or without the scheme' {
        Set-TestConfig -Sites @(
            @{ Url = 'https://gitlab.example.com'; AccessToken = 'config-token-1' }
            @{ Url = 'https://code.example.org'; AccessToken = 'config-token-2' }
        )
        (Get-SiteCompletion 'https://code').CompletionText | Should -Be @('https://code.example.org')
        (Get-SiteCompletion 'gitlab.ex').CompletionText | Should -Be @('https://gitlab.example.com')
    }

    It 'offers no site, and leaves no engine running, when the engine fails' -Skip:$IsWindows {
        Set-TestConfig -Sites @(@{ Url = 'https://gitlab.example.com'; AccessToken = 'config-token-1' })
        $crashing = Join-Path $TestDrive 'crashing-engine'
        Set-Content -LiteralPath $crashing -Value "#!/bin/sh`necho 'no sites today' >&2`nexit 7"
        chmod +x $crashing
        Set-EngineOverride -Path $crashing
        try {
            $found = Get-SiteCompletion ''
        } finally {
            Set-EngineOverride -Path $null
        }
        @($found | Where-Object ResultType -EQ 'ParameterValue') | Should -BeNullOrEmpty
        (Get-OpenEngineCount) | Should -Be 0
        # The same call with the real engine does offer the site, so the emptiness above is the failure's.
        (Get-SiteCompletion '').CompletionText | Should -Contain 'https://gitlab.example.com'
    }
}

Describe 'The config file shared with pwsh-gitlab' {
    BeforeAll {
        $script:SavedUrl = $env:GITLAB_URL
        $script:SavedToken = $env:GITLAB_ACCESS_TOKEN
        Remove-Item Env:\GITLAB_URL, Env:\GITLAB_ACCESS_TOKEN
    }

    AfterAll {
        $env:GITLAB_URL = $SavedUrl
        $env:GITLAB_ACCESS_TOKEN = $SavedToken
        Remove-TestConfig
    }

    BeforeEach { Reset-Fake $Fake }

    It 'its default site (IsDefault: <IsDefault>) is used without -SiteUrl' -ForEach @(
        @{ IsDefault = $true }
        @{ IsDefault = 'true' }
    ) {
        Set-TestConfig -Sites @(
            @{ Url = "http://127.0.0.1:$(Get-ClosedPort)"; AccessToken = 'elsewhere'; IsDefault = 'false' }
            @{ Url = $Fake.Url; AccessToken = $Fake.AdminToken; IsDefault = $IsDefault }
        )
        $token = New-GitlabPersonalAccessToken -Name 'From the default site' -Scope 'api'
        $token.SiteUrl | Should -Be $Fake.Url
        @(Get-FakeRequest $Fake | Where-Object method -EQ 'POST').Count | Should -Be 1
    }
}
