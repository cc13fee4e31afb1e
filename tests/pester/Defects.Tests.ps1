# The defects of issue 10, each reproduced through the real module, engine and fake GitLab:
# dates in every culture, tokens kept when a pipeline ends abnormally (terminating errors,
# Ctrl+C), numbers from the wire, -ExpireInMonths fractions, -Confirm without a console,
# Export-Csv of Scopes and the default tables.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Set-FakeSetting([hashtable] $Settings) {
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body $Settings | Out-Null
    }

    function script:Invoke-InCulture([string] $Culture, [scriptblock] $Script) {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = [cultureinfo]::new($Culture)
            & $Script
        } finally {
            [cultureinfo]::CurrentCulture = $saved
        }
    }

    # A date ahead whose day is at most 12 and differs from its month, so that reading it day
    # first gives another valid date.
    $script:AmbiguousDate = [datetime]::new((Get-Date).Year + 1, 3, 4)
}

AfterAll {
    Set-FakeSetting @{ delay_ms = 0 }
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'A date given to -ExpiresAt in <_>' -ForEach @('en-US', 'en-GB', 'de-DE', 'ja-JP') {
    BeforeEach { Reset-Fake $Fake }

    It 'a [datetime] means exactly that date' {
        $culture = $_
        Invoke-InCulture $culture { New-GitlabPersonalAccessToken -Name "dt $culture" -Scope api -ExpiresAt $AmbiguousDate | Out-Null }
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $AmbiguousDate.ToString('yyyy-MM-dd')
    }

    It 'a [DateTimeOffset] means exactly its own date' {
        $culture = $_
        $offset = [DateTimeOffset]::new($AmbiguousDate.AddHours(23), [timespan]::FromHours(-5))
        Invoke-InCulture $culture { New-GitlabPersonalAccessToken -Name "dto $culture" -Scope api -ExpiresAt $offset | Out-Null }
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $AmbiguousDate.ToString('yyyy-MM-dd')
    }

    It '(Get-Date).AddDays(40) is 40 days from today' {
        $culture = $_
        $date = (Get-Date).AddDays(40)
        Invoke-InCulture $culture { New-GitlabPersonalAccessToken -Name "days $culture" -Scope api -ExpiresAt $date | Out-Null }
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $date.ToString('yyyy-MM-dd')
    }

    It 'an ISO date is read the same, without a warning' {
        $culture = $_
        $text = $AmbiguousDate.ToString('yyyy-MM-dd')
        $warnings = Invoke-InCulture $culture { New-GitlabPersonalAccessToken -Name "iso $culture" -Scope api -ExpiresAt $text 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } }
        @($warnings).Count | Should -Be 0
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $text
    }

    It 'numeric text is read by the engine alone, with a warning naming both dates where the culture reads it otherwise' {
        $culture = $_
        $text = '03/04/' + $AmbiguousDate.Year
        $engineDate = $AmbiguousDate.ToString('yyyy-MM-dd')
        $local = [datetime]::MinValue
        $cultureReads = if ([datetime]::TryParse($text, [cultureinfo]::new($culture), 'None', [ref] $local)) { $local.ToString('yyyy-MM-dd') } else { $null }
        $warnings = @(Invoke-InCulture $culture { New-GitlabPersonalAccessToken -Name "text $culture" -Scope api -ExpiresAt $text 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } })
        (Get-FakeTokenPost $Fake)[0].body.expires_at | Should -Be $engineDate
        if ($null -ne $cultureReads -and $cultureReads -ne $engineDate) {
            $warnings.Count | Should -Be 1
            $warnings[0].Message | Should -BeLike "*$engineDate*"
            $warnings[0].Message | Should -BeLike "*$cultureReads*"
        } else {
            $warnings.Count | Should -Be 0
        }
    }

    It 'Rotate''s -ExpiresAt and Get''s date filters follow the same rule' {
        $culture = $_
        $seeded = @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body @{ username = 'jsmith'; name = 'to rotate' })[0]
        Invoke-InCulture $culture {
            Get-GitlabPersonalAccessToken -ExpiresBefore $AmbiguousDate | Out-Null
            Invoke-GitlabPersonalAccessTokenRotation -TokenId $seeded.id -ExpiresAt $AmbiguousDate -Confirm:$false | Out-Null
        }
        $requests = @(Get-FakeRequest $Fake)
        ($requests | Where-Object { $_.method -eq 'GET' -and $_.path -eq '/api/v4/personal_access_tokens' })[0].query | Should -BeLike "*expires_before=$($AmbiguousDate.ToString('yyyy-MM-dd'))*"
        ($requests | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/rotate' })[0].body.expires_at | Should -Be $AmbiguousDate.ToString('yyyy-MM-dd')
    }
}

Describe '-ExpireInMonths that is not a whole number of months' {
    BeforeEach { Reset-Fake $Fake }

    It '<_> is GitlabCli.InvalidArgument naming the value, and nothing is sent' -ForEach @('2.5', '1.5', '-1') {
        $value = [double] $_
        $failures = $null
        New-GitlabPersonalAccessToken -Name 'months' -Scope api -ExpireInMonths $value -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $failures[0].Exception.Message | Should -BeLike "*$_*"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
        (Get-Command New-GitlabPersonalAccessToken).Parameters['ExpireInMonths'].ParameterType | Should -Be ([uint32])
    }
}

Describe 'A misspelled -Scope' {
    BeforeEach { Reset-Fake $Fake }

    It 'gets the engine''s message and a "did you mean", not a list dump, and nothing is sent' {
        $failures = $null
        New-GitlabPersonalAccessToken -Name 'typo' -Scope apii -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $failures[0].Exception.Message | Should -BeLike "Unknown scope 'apii'.*"
        $failures[0].ErrorDetails.RecommendedAction | Should -Be "Did you mean 'api' for 'apii'?"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}

Describe 'Numbers from the wire' {
    BeforeEach { Reset-Fake $Fake }

    It 'a Retry-After of 2^64-1 is a GitlabCli.RateLimited error, not a cast failure' {
        Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = [uint64]::MaxValue } | Out-Null
        $failures = $null
        New-GitlabPersonalAccessToken -Name 'slow' -Scope api -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.RateLimited,*'
        $failures[0].Exception.RetryAfter | Should -BeGreaterThan 0
    }

    It 'an X-Next-Page of 2^31 does not overflow Get -All' {
        Invoke-Fake $Fake -Method POST -Path '/__fake/fail' -Body @{ count = 1; status = 200; body = '[]'; headers = @{ 'X-Next-Page' = '2147483648' } } | Out-Null
        $failures = $null
        Get-GitlabPersonalAccessToken -All -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        @($failures).Count | Should -Be 0
        $lists = @(Get-FakeRequest $Fake | Where-Object { $_.path -eq '/api/v4/personal_access_tokens' })
        $lists.Count | Should -Be 2
        $lists[1].query | Should -BeLike '*page=2147483648*'
    }
}

Describe 'A terminating error in the middle of a pipeline' {
    BeforeEach { Reset-Fake $Fake }

    It 'with <Case>, every token created is carried by the exception and named in a warning' -ForEach @(
        @{ Case = '-ErrorAction Stop'; Preference = 'Continue'; Action = 'Stop' }
        @{ Case = '$ErrorActionPreference = Stop'; Preference = 'Stop'; Action = $null }
    ) {
        $records = 1..20 | ForEach-Object { [pscustomobject]@{ Username = $(if ($_ -eq 10) { 'nobody-at-all' } else { 'jsmith' }); Name = "Term $_" } }
        $box = @{ Caught = $null; Output = $null; Warnings = $null }
        & {
            $ErrorActionPreference = $Preference
            $extra = @{}
            if ($Action) { $extra.ErrorAction = $Action }
            try {
                $box.Output = $records | New-GitlabPersonalAccessToken -Scope api -WarningVariable +warnings -WarningAction SilentlyContinue @extra
            } catch {
                $box.Caught = $_
            } finally {
                $box.Warnings = $warnings
            }
        }
        $caught = $box.Caught
        $warnings = $box.Warnings
        $created = @(Get-FakeToken $Fake)
        $created.Count | Should -BeGreaterThan 0
        $caught | Should -Not -BeNullOrEmpty
        $caught.FullyQualifiedErrorId | Should -BeLike 'GitlabCli.NotFound,*'
        @($caught.Exception.Tokens.Token | Sort-Object) | Should -Be @($created.token | Sort-Object)
        $named = ($warnings | ForEach-Object Message) -join "`n"
        foreach ($token in $created) { $named | Should -BeLike "*id $($token.id) '$($token.name)'*" }
        $named | Should -Not -BeLike '*glpat-*'
    }
}

Describe 'A pipeline stopped early by Select-Object -First' {
    BeforeEach {
        Reset-Fake $Fake
        Remove-Variable GitlabCliRescued -Scope Global -ErrorAction SilentlyContinue
    }
    AfterEach { Remove-Variable GitlabCliRescued -Scope Global -ErrorAction SilentlyContinue }

    It 'keeps the tokens it created but could not output in $GitlabCliRescued, named in a warning' {
        $warnings = $null
        $tokens = @(1..6 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "First $_" } } |
                New-GitlabPersonalAccessToken -Scope api -WarningVariable warnings -WarningAction SilentlyContinue | Select-Object -First 1)
        $tokens.Count | Should -Be 1
        $created = @(Get-FakeToken $Fake)
        $created.Count | Should -BeGreaterThan 1
        $rescued = @($global:GitlabCliRescued)
        @(@($tokens.Token) + @($rescued.Token) | Sort-Object) | Should -Be @($created.token | Sort-Object)
        $named = ($warnings | ForEach-Object Message) -join "`n"
        foreach ($token in $rescued) { $named | Should -BeLike "*id $($token.Id) '$($token.Name)'*" }
    }
}

Describe 'A pipeline stopped with Ctrl+C against a slow GitLab' {
    BeforeEach { Reset-Fake $Fake }
    AfterEach { Set-FakeSetting @{ delay_ms = 0 } }

    It 'sends no create after the stop, and leaves no active token whose value was not delivered' {
        Set-FakeSetting @{ delay_ms = 1500 }
        $run = Stop-PipelineMidRun -Concurrency 4 -Script {
            param($Manifest)
            Import-Module $Manifest
            1..12 | ForEach-Object { [pscustomobject]@{ UserId = '42'; Name = "Stopped $_" } } |
                New-GitlabPersonalAccessToken -Scope api
        } -Started { @(Get-FakeTokenPost $Fake).Count -ge 1 } -AtStop { @(Get-FakeTokenPost $Fake).Count }
        $run.Completed | Should -BeTrue
        $postsAtStop = $run.AtStop
        $output = $run.Output
        Start-Sleep -Seconds 2
        @(Get-FakeTokenPost $Fake).Count | Should -Be $postsAtStop -Because 'no create is sent after the stop'
        $postsAtStop | Should -BeGreaterThan 0
        $delivered = @($output | ForEach-Object Token)
        $undelivered = @(Get-FakeToken $Fake | Where-Object { $_.active -and $_.token -notin $delivered })
        $undelivered | Should -BeNullOrEmpty -Because 'a token nobody holds must have been revoked'
    }

    It 'keeps a rotation''s new token, which cannot be revoked, in $GitlabCliRescued with a warning' {
        $seeded = @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body @{ username = 'jsmith'; name = 'rotated when stopped' })[0]
        Set-FakeSetting @{ delay_ms = 1500 }
        $manifest = Get-ModuleManifestPath
        $ps = [powershell]::Create()
        try {
            [void] $ps.AddScript({
                    param($Manifest, $Id)
                    Import-Module $Manifest
                    Invoke-GitlabPersonalAccessTokenRotation -TokenId $Id -Confirm:$false
                }).AddArgument($manifest).AddArgument([string] $seeded.id)
            $async = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while (@(Get-FakeRequest $Fake | Where-Object { $_.path -like '*/rotate' }).Count -lt 1 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
            $ps.Stop()
            $async.IsCompleted | Should -BeTrue
            $ps.Commands.Clear()
            $rescued = @($ps.AddScript('$GitlabCliRescued').Invoke())
        } finally {
            $ps.Dispose()
        }
        $active = @(Get-FakeToken $Fake | Where-Object { $_.active })
        $active.Count | Should -Be 1
        @($rescued.Token) | Should -Be @($active[0].token)
    }
}

Describe '-Confirm in a session that cannot ask' {
    BeforeEach { Reset-Fake $Fake }

    It 'is a clear GitlabCli.InvalidArgument that makes pwsh -NonInteractive fail, and sends nothing' {
        $pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
        $command = "Import-Module '$((Get-ModuleManifestPath) -replace "'", "''")'; New-GitlabPersonalAccessToken -Name 'asked' -Scope api -Confirm"
        $text = & $pwsh -NoProfile -NonInteractive -Command $command 2>&1 | Out-String
        $LASTEXITCODE | Should -Not -Be 0
        $text | Should -BeLike '*-Confirm:$false*'
        $text | Should -Not -BeLike '*MethodInvocationException*'
        @(Get-FakeTokenPost $Fake).Count | Should -Be 0
    }
}

Describe 'Scopes in CSV, JSON and tables' {
    BeforeAll {
        Reset-Fake $Fake
        $scopes = 'api', 'read_api', 'read_repository', 'write_repository', 'read_registry', 'write_registry', 'write_virtual_registry', 'read_observability'
        $script:New = New-GitlabPersonalAccessToken -UserId jsmith -Name 'A service token whose name says at length what it is for' -Scope $scopes -ExpireInMonths 1
        $script:Listed = @(Get-GitlabPersonalAccessToken -UserId jsmith)[0]
    }

    It 'Export-Csv writes the scopes of <_>, not System.String[]' -ForEach @('New', 'Listed') {
        $object = if ($_ -eq 'New') { $New } else { $Listed }
        $csv = ($object | ConvertTo-Csv) -join "`n"
        $csv | Should -Not -BeLike '*System.String*'
        $csv | Should -BeLike '*api, read_api, read_repository, write_repository, read_registry, write_registry, write_virtual_registry, read_observability*'
    }

    It 'ConvertTo-Json keeps Scopes an array' {
        ($New | ConvertTo-Json | ConvertFrom-Json).Scopes | Should -Be @('api', 'read_api', 'read_repository', 'write_repository', 'read_registry', 'write_registry', 'write_virtual_registry', 'read_observability')
    }

    It 'the tables at 120 columns never cut a scope in two' {
        foreach ($object in $New, $Listed) {
            $text = $object | Format-Table | Out-String -Width 120
            foreach ($scope in $object.Scopes) { $text | Should -Match "\b$scope\b" }
        }
    }

    It 'Get''s table shows the owner, and New''s says whose token it is' {
        foreach ($object in $New, $Listed) {
            $header = ($object | Format-Table | Out-String -Width 200) -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1
            ($header -split '\s+') | Should -Contain 'UserId'
        }
    }
}
