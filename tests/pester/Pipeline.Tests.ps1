# Piped records: by property name, one token each, failures that do not stop the others, and one
# engine process for the whole pipeline, with at most GITLABCLI_CONCURRENCY connections.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null


    function script:New-Csv([string[]] $Lines) {
        $path = Join-Path $TestDrive ("users-" + [guid]::NewGuid().ToString('n') + '.csv')
        Set-Content -LiteralPath $path -Value $Lines -Encoding utf8NoBOM
        $path
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Piping records into New-GitlabPersonalAccessToken' {
    BeforeEach { Reset-Fake $Fake }

    It 'creates one token per CSV row with Username and Name columns' {
        $csv = New-Csv @('Username,Name', 'jsmith,Deploy for Jane', 'alice,Deploy for Alice', 'root,Deploy for root')
        $tokens = @(Import-Csv $csv | New-GitlabPersonalAccessToken -Scope 'read_api' -ExpireInMonths 1)

        $tokens.Count | Should -Be 3
        $tokens.Name | Should -Be @('Deploy for Jane', 'Deploy for Alice', 'Deploy for root')
        $tokens.UserId | Should -Be @(42, 43, 1)
        # Sent concurrently, so they may arrive in any order; the output above is in input order.
        (Get-FakeTokenPost $Fake).path | Sort-Object | Should -Be @(
            '/api/v4/users/1/personal_access_tokens'
            '/api/v4/users/42/personal_access_tokens'
            '/api/v4/users/43/personal_access_tokens')
        @($tokens.Token | Sort-Object -Unique).Count | Should -Be 3
    }

    It 'creates one token per CSV row with UserId and Name columns' {
        $csv = New-Csv @('UserId,Name', '42,By id 42', '43,By id 43')
        $tokens = @(Import-Csv $csv | New-GitlabPersonalAccessToken -Scope 'api')
        $tokens.UserId | Should -Be @(42, 43)
        @(Get-FakeRequest $Fake | Where-Object { $_.path -eq '/api/v4/users' }).Count | Should -Be 0
    }

    It 'goes on after a failing record in the middle, whose error targets that record' {
        $csv = New-Csv @('Username,Name', 'jsmith,First', 'no-such-user,Second', 'alice,Third')
        $tokens = @(Import-Csv $csv | New-GitlabPersonalAccessToken -Scope 'api' -ErrorVariable failures -ErrorAction SilentlyContinue)

        $tokens.Name | Should -Be @('First', 'Third')
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.NotFound,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        $failures[0].TargetObject.Username | Should -Be 'no-such-user'
        $failures[0].TargetObject.Name | Should -Be 'Second'
        @(Get-FakeTokenPost $Fake).Count | Should -Be 2
    }

    It 'stops at the failing record with -ErrorAction Stop, after outputting the tokens already in flight' {
        $csv = New-Csv @('Username,Name', 'jsmith,First', 'no-such-user,Second', 'alice,Third', 'root,Fourth')
        $collected = [System.Collections.Generic.List[object]]::new()
        { Import-Csv $csv | New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction Stop | ForEach-Object { $collected.Add($_) } } |
            Should -Throw -ErrorId 'GitlabCli.NotFound,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        # The records after the failing one were already sent (the window is 16), so their tokens
        # exist: every token GitLab created reaches the caller, in input order.
        $created = @(Get-FakeToken $Fake)
        $created.Count | Should -Be 3
        $collected.Name | Should -Be @('First', 'Third', 'Fourth')
        @($collected.Token | Sort-Object) | Should -Be @($created.token | Sort-Object)
    }

    It 'with one request at a time, -ErrorAction Stop still loses no created token' {
        $env:GITLABCLI_CONCURRENCY = '1'
        try {
            $records = 1..6 | ForEach-Object { [pscustomobject]@{ Username = $(if ($_ -eq 2) { 'nobody-here' } else { 'jsmith' }); Name = "Stop $_" } }
            $collected = [System.Collections.Generic.List[object]]::new()
            { $records | New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction Stop | ForEach-Object { $collected.Add($_) } } |
                Should -Throw -ErrorId 'GitlabCli.NotFound,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        # The run window is the engine's concurrency (1): only the first record was created.
        $created = @(Get-FakeToken $Fake)
        $created.Count | Should -BeGreaterOrEqual 1
        $collected.Count | Should -Be $created.Count
        $collected[0].Name | Should -Be 'Stop 1'
        @($collected.Token | Sort-Object) | Should -Be @($created.token | Sort-Object)
    }

    It 'checks every record before creating any, so -ErrorAction Stop on a bad record creates nothing' {
        $records = @(
            [pscustomobject]@{ Username = 'jsmith'; Name = 'Fine' }
            [pscustomobject]@{ Username = 'alice'; Name = 'x' * 300 }
            [pscustomobject]@{ Username = 'root'; Name = 'Also fine' }
        )
        { $records | New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'reports a record with an empty UserId instead of creating a token for the caller' {
        $csv = New-Csv @('UserId,Name', '42,Has a user', ',Has none')
        $tokens = @(Import-Csv $csv | New-GitlabPersonalAccessToken -Scope 'api' -ErrorVariable failures -ErrorAction SilentlyContinue)
        $tokens.Name | Should -Be @('Has a user')
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        $failures[0].Exception.Parameter | Should -Be 'user'
        @(Get-FakeTokenPost $Fake).Count | Should -Be 1
    }

    It 'does not carry a UserId over to a later record that has none' {
        $records = @(
            [pscustomobject]@{ UserId = 'alice'; Name = 'For Alice' }
            [pscustomobject]@{ Name = 'For me' }
        )
        $tokens = @($records | New-GitlabPersonalAccessToken -Scope 'api')
        $tokens.UserId | Should -Be @(43, 1)
    }

    It 'uses one engine process and, with GITLABCLI_CONCURRENCY=1, one connection for the whole pipeline' {
        $env:GITLABCLI_CONCURRENCY = '1'
        try {
            $records = 1..5 | ForEach-Object { [pscustomobject]@{ Username = 'jsmith'; Name = "Batch $_" } }
            $tokens = @($records | New-GitlabPersonalAccessToken -Scope 'api')
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        $tokens.Count | Should -Be 5
        $requests = Get-FakeRequest $Fake
        @($requests.connection | Sort-Object -Unique) | Should -Be @(1)
        # GET /user and the username lookup are cached for the life of the one engine process.
        @($requests | Where-Object { $_.path -eq '/api/v4/user' }).Count | Should -Be 1
        @($requests | Where-Object { $_.path -eq '/api/v4/users' }).Count | Should -Be 1
    }

    It 'shows progress per record when several are piped, and completes it' {
        $run = Invoke-InScriptedHost -Script @'
            1..3 | ForEach-Object { [pscustomobject]@{ Username = 'alice'; Name = "Progress $_" } } |
                New-GitlabPersonalAccessToken -Scope api
'@
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Count | Should -Be 3
        $ours = @($run.Progress | Where-Object Activity -EQ 'Creating personal access tokens')
        $statuses = @($ours | Where-Object RecordType -EQ 'Processing' | ForEach-Object StatusDescription | Select-Object -Unique)
        $statuses | Should -Be @(
            "1 of 3: user 'alice' on $($Fake.Url)"
            "2 of 3: user 'alice' on $($Fake.Url)"
            "3 of 3: user 'alice' on $($Fake.Url)")
        @($ours | Where-Object RecordType -EQ 'Completed').Count | Should -BeGreaterOrEqual 1
    }

    It 'shows no progress bar for a single record' {
        $run = Invoke-InScriptedHost -Script "New-GitlabPersonalAccessToken -Name 'Single' -Scope api"
        $run.Output.Count | Should -Be 1
        @($run.Progress | Where-Object Activity -EQ 'Creating personal access tokens').Count | Should -Be 0
    }
}

Describe 'A pipeline that ends early' -Skip:($PSVersionTable.PSVersion -lt [version] '7.3') {
    # PowerShell 7.3+ only: the module's clean block closes the engine; 7.2 has no clean block.
    BeforeEach { Reset-Fake $Fake }

    It 'closes the engine when a command upstream fails' {
        $script:EnginePid = $null
        {
            & {
                [pscustomobject]@{ Name = 'Before the failure' }
                $script:EnginePid = @([GitlabCli.Engine]::OpenProcessIds)[0]
                throw 'upstream failed'
            } | New-GitlabPersonalAccessToken -Scope 'api'
        } | Should -Throw 'upstream failed'
        $EnginePid | Should -BeGreaterThan 0
        (Get-OpenEngineCount) | Should -Be 0
        Get-Process -Id $EnginePid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'closes the engine when the pipeline is stopped (Ctrl+C)' {
        $shared = [hashtable]::Synchronized(@{})
        $shell = [powershell]::Create()
        try {
            [void] $shell.AddScript(@'
                param($Manifest, $Shared)
                Import-Module $Manifest
                & {
                    [pscustomobject]@{ Name = 'Before the stop' }
                    $Shared.EnginePid = @([GitlabCli.Engine]::OpenProcessIds)[0]
                    Start-Sleep -Seconds 60
                } | New-GitlabPersonalAccessToken -Scope api
'@).AddArgument((Get-ModuleManifestPath)).AddArgument($shared)
            $async = $shell.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(30)
            while (-not $shared.ContainsKey('EnginePid') -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $shared.EnginePid | Should -BeGreaterThan 0
            $shell.Stop()
        } finally {
            $shell.Dispose()
        }
        $engine = Get-Process -Id $shared.EnginePid -ErrorAction SilentlyContinue
        if ($engine) { $engine.WaitForExit(5000) | Out-Null }
        Get-Process -Id $shared.EnginePid -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}

Describe 'A thousand piped service users' {
    BeforeAll {
        Reset-Fake $Fake
        $script:Usernames = 1..1000 | ForEach-Object { 'svc-{0:d4}' -f $_ }
        Invoke-Fake $Fake -Method POST -Path '/__fake/users' -Body @{ users = @($Usernames | ForEach-Object { @{ username = $_ } }) } | Out-Null
        Clear-FakeRequest $Fake
        $records = $Usernames | ForEach-Object { [pscustomobject]@{ Username = $_; Name = "Service token for $_" } }
        $script:Elapsed = Measure-Command {
            $script:Tokens = @($records | New-GitlabPersonalAccessToken -Scope 'read_api' -ExpireInMonths 12)
        }
        Write-Host "    1,000 tokens in $([math]::Round($Elapsed.TotalSeconds, 1)) s"
        $script:Requests = Get-FakeRequest $Fake
    }

    It 'all get a token, in order' {
        $Tokens.Count | Should -Be 1000
        $Tokens[0].Name | Should -Be 'Service token for svc-0001'
        $Tokens[999].Name | Should -Be 'Service token for svc-1000'
        @($Tokens.Token | Sort-Object -Unique).Count | Should -Be 1000
        @($Requests | Where-Object { $_.method -eq 'POST' -and $_.status -eq 201 }).Count | Should -Be 1000
    }

    It 'over at most eight keep-alive connections (the default concurrency) from one engine process' {
        @($Requests.connection | Sort-Object -Unique).Count | Should -BeLessOrEqual 8
        @($Requests | Where-Object { $_.path -eq '/api/v4/user' }).Count | Should -Be 1
    }
}
