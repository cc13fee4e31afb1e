# Bulk creation with several requests in flight: the output stays in input order, the engine
# really overlaps requests, a rate limit slows everyone down, and the user lookups stay one per
# pipeline. The fake's delays make answers finish out of order; nothing here judges timing.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Set-FakeSetting([hashtable] $Settings) {
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body $Settings | Out-Null
    }

    function script:Get-FakeStat { Invoke-Fake $Fake -Path '/__fake/stats' }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Several requests in flight' {
    BeforeEach { Reset-Fake $Fake }

    It 'outputs tokens in input order although the answers finish out of order' {
        # Request n waits cycle[(n-1) % 5] ms: later requests often finish first.
        Set-FakeSetting @{ delay_cycle_ms = @(120, 0, 60, 5, 30) }
        $records = 1..24 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Order $_" } }
        $tokens = @($records | New-GitlabPersonalAccessToken -Scope api)

        $tokens.Name | Should -Be @($records.Name)
        @($tokens.Token | Sort-Object -Unique).Count | Should -Be 24
        # Requests overlapped, so a 0 ms answer came back before the 120 ms one sent just before
        # it; output in completion order would fail the first assertion.
        (Get-FakeStat).max_in_flight | Should -BeGreaterThan 1
    }

    It 'keeps more than one request in flight, and no more than GITLABCLI_CONCURRENCY' {
        Set-FakeSetting @{ delay_ms = 40 }
        $env:GITLABCLI_CONCURRENCY = '3'
        try {
            $records = 1..12 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Overlap $_" } }
            $tokens = @($records | New-GitlabPersonalAccessToken -Scope api)
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        $tokens.Count | Should -Be 12
        (Get-FakeStat).max_in_flight | Should -Be 3
    }

    It 'sends one request at a time with GITLABCLI_CONCURRENCY=1' {
        Set-FakeSetting @{ delay_ms = 20 }
        $env:GITLABCLI_CONCURRENCY = '1'
        try {
            $tokens = @(1..5 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Serial $_" } } | New-GitlabPersonalAccessToken -Scope api)
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        $tokens.Count | Should -Be 5
        (Get-FakeStat).max_in_flight | Should -Be 1
    }

    It 'warns about an unusable GITLABCLI_CONCURRENCY and carries on with the default' {
        $env:GITLABCLI_CONCURRENCY = 'lots'
        try {
            $tokens = @(1..2 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Bad setting $_" } } |
                    New-GitlabPersonalAccessToken -Scope api -WarningVariable warned -WarningAction SilentlyContinue)
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        $tokens.Count | Should -Be 2
        @($warned | Where-Object { "$_" -like "*GITLABCLI_CONCURRENCY is 'lots'*" }).Count | Should -Be 1
    }

    It 'looks a repeated username and the current user up once for the whole pipeline' {
        Set-FakeSetting @{ delay_ms = 20 }
        $records = 1..16 | ForEach-Object { [pscustomobject]@{ Username = 'jsmith'; Name = "Same user $_" } }
        $tokens = @($records | New-GitlabPersonalAccessToken -Scope api)
        $tokens.Count | Should -Be 16
        $requests = @(Get-FakeRequest $Fake)
        @($requests | Where-Object { $_.path -eq '/api/v4/user' }).Count | Should -Be 1
        @($requests | Where-Object { $_.path -eq '/api/v4/users' }).Count | Should -Be 1
        @($requests | Where-Object { $_.method -eq 'POST' }).Count | Should -Be 16
    }

    It 'sends one HTTP request per token, plus one GET /user per pipeline, when users are given by id' {
        $records = 1..10 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "By id $_" } }
        @($records | New-GitlabPersonalAccessToken -Scope api).Count | Should -Be 10
        @(Get-FakeRequest $Fake).Count | Should -Be 11
    }

    It 'waits out a 429 that hits several requests in flight, and creates every token' {
        Set-FakeSetting @{ delay_ms = 20 }
        # Own tokens with a self-service scope: only POST /user/personal_access_tokens, no lookup.
        # The first three POSTs (sent together) are refused with Retry-After: 1.
        Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 3; retry_after = 1 } | Out-Null
        $records = 1..8 | ForEach-Object { [pscustomobject]@{ Name = "Limited $_" } }
        $tokens = @($records | New-GitlabPersonalAccessToken -Scope k8s_proxy -WarningVariable warned -WarningAction SilentlyContinue)

        $tokens.Name | Should -Be @($records.Name)
        $requests = @(Get-FakeRequest $Fake)
        @($requests | Where-Object { $_.status -eq 429 }).Count | Should -Be 3
        @($requests | Where-Object { $_.status -eq 201 }).Count | Should -Be 8
        @($warned | Where-Object { "$_" -like '*HTTP 429*waiting 1 s*' }).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'A pipeline stopped while requests are queued (Ctrl+C)' {
    BeforeEach { Reset-Fake $Fake }

    It 'kills the engine so that requests written but not yet sent are never carried out' {
        # One request at a time (so a second one waits in the engine's input), each held 3 s by
        # the fake. Stopping the pipeline while the first is in flight must not let the engine go
        # on to the second, whose token nobody would see.
        Set-FakeSetting @{ delay_ms = 3000 }
        $env:GITLABCLI_CONCURRENCY = '1'
        $manifest = (Get-Module GitlabCli).Path -replace '\.psm1$', '.psd1'
        $ps = [powershell]::Create()
        try {
            [void] $ps.AddScript({
                    param($Manifest)
                    Import-Module $Manifest
                    1..6 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Stopped $_" } } |
                        New-GitlabPersonalAccessToken -Scope api
                }).AddArgument($manifest)
            $async = $ps.BeginInvoke()
            # Wait (at most 20 s) until the first create is in flight at the fake.
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while (@(Get-FakeTokenPost $Fake).Count -lt 1 -and [datetime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            @(Get-FakeTokenPost $Fake).Count | Should -Be 1 -Because 'the first create is in flight'
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY -ErrorAction SilentlyContinue
            $ps.Dispose()
        }
        # Longer than the fake's delay: a gracefully closed engine would have sent the next one.
        Start-Sleep -Seconds 4
        @(Get-FakeTokenPost $Fake).Count | Should -Be 1
    }
}
