# The engine's verbose, debug, warning and progress messages reach PowerShell's streams, and no
# secret (the new token, the access token) ever appears in them or on the engine's command line.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Get-IssuedTokenValue {
        @(Get-FakeToken $Fake | ForEach-Object token)
    }

    function script:Assert-NoSecret([string] $Text) {
        $Text | Should -Not -BeLike "*$($Fake.AdminToken)*" -Because 'the access token must never be shown'
        foreach ($value in Get-IssuedTokenValue) {
            $Text | Should -Not -BeLike "*$value*" -Because 'a new token must only be in the output object'
        }
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Verbose and debug' {
    BeforeEach { Reset-Fake $Fake }

    It '-Verbose shows each request with method, URL, status and time, and no secret' {
        $all = New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Verbose' -Scope 'api' -Verbose 4>&1
        $token = @($all | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
        $verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)

        $token.Count | Should -Be 1
        $token[0].Token | Should -Match '^glpat-'
        $verbose | Should -Contain ($verbose | Where-Object { $_ -match "^GET $([regex]::Escape($Fake.Url))/api/v4/users\?username=jsmith .*200.*\(\d+ ms\)" })
        @($verbose | Where-Object { $_ -match "^POST $([regex]::Escape($Fake.Url))/api/v4/users/42/personal_access_tokens .*201.*\(\d+ ms\)" }).Count | Should -Be 1
        Assert-NoSecret ($verbose -join "`n")
    }

    It '-Debug shows the bodies with every token replaced by REDACTED' {
        $all = New-GitlabPersonalAccessToken -Name 'Debug' -Scope 'api' -Debug 5>&1
        $debug = @($all | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message)
        $debug.Count | Should -BeGreaterThan 0
        ($debug -join "`n") | Should -Match 'REDACTED'
        ($debug -join "`n") | Should -Match '"name":\s*"Debug"'
        Assert-NoSecret ($debug -join "`n")
    }

    It 'nothing in any stream of a failing call shows the access token' {
        $env:GITLAB_ACCESS_TOKEN = 'glpat-secret-but-wrong-0123'
        try {
            $all = New-GitlabPersonalAccessToken -Name 'Fails' -Scope 'api' -Verbose -Debug -ErrorAction SilentlyContinue -ErrorVariable failures *>&1
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        $failures.Count | Should -Be 1
        $text = (@($all | ForEach-Object { "$_" }) + @($failures | ForEach-Object { $_.Exception.Message; $_.ErrorDetails.Message; $_.ErrorDetails.RecommendedAction })) -join "`n"
        $text | Should -Match '401'
        $text | Should -Not -BeLike '*glpat-secret-but-wrong-0123*'
    }
}

Describe 'Warnings and progress' {
    BeforeEach { Reset-Fake $Fake }

    It 'a short rate limit is waited out with a warning, then the token is created' {
        Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = 1 } | Out-Null
        $all = New-GitlabPersonalAccessToken -Name 'Patient' -Scope 'api' 3>&1
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $token = @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] })
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -Match '429'
        $token.Count | Should -Be 1
        $token[0].Name | Should -Be 'Patient'
    }

    It 'the engine''s progress nests under the pipeline''s progress bar' {
        Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = 1 } | Out-Null
        $run = Invoke-InScriptedHost -Script @'
            @([pscustomobject]@{ Name = 'One' }, [pscustomobject]@{ Name = 'Two' }) |
                New-GitlabPersonalAccessToken -Scope api -WarningAction SilentlyContinue
'@
        $run.Output.Count | Should -Be 2
        $outer = @($run.Progress | Where-Object Activity -EQ 'Creating personal access tokens')
        $engine = @($run.Progress | Where-Object { $_.Activity -ne 'Creating personal access tokens' })
        $outer.Count | Should -BeGreaterThan 0
        $engine.Count | Should -BeGreaterThan 0
        $engine | ForEach-Object { $_.ParentActivityId | Should -Be $outer[0].ActivityId }
        @($engine | Where-Object RecordType -EQ 'Completed').Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'The engine process' {
    It 'is started as "gitlabcli serve" with no secret on its command line' -Skip:(-not $IsLinux) {
        $script:EnginePids = @()
        $script:CommandLines = @()
        & {
            [pscustomobject]@{ Name = 'First' }
            $script:EnginePids = @([GitlabCli.Engine]::OpenProcessIds)
            $script:CommandLines = @($script:EnginePids | ForEach-Object { [System.IO.File]::ReadAllText("/proc/$_/cmdline") })
            [pscustomobject]@{ Name = 'Second' }
        } | New-GitlabPersonalAccessToken -Scope 'api' | Out-Null

        $EnginePids.Count | Should -Be 1
        $arguments = $CommandLines[0].TrimEnd([char] 0).Split([char] 0)
        $arguments.Count | Should -Be 2
        $arguments[0] | Should -BeLike '*gitlabcli'
        $arguments[1] | Should -Be 'serve'
        Assert-NoSecret $CommandLines[0]
    }

    It 'has exited once the pipeline is done' -Skip:(-not $IsLinux) {
        New-GitlabPersonalAccessToken -Name 'Done' -Scope 'api' | Out-Null
        (Get-OpenEngineCount) | Should -Be 0
        $EnginePids | ForEach-Object { Test-Path "/proc/$_" | Should -BeFalse }
    }
}
