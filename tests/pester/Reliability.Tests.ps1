# Reliability and security through the real module: a create that may have reached GitLab is
# GitlabCli.OutcomeUnknown and says how to check; an engine that dies mid-pipeline loses no token;
# no secret is in any process's command line or environment during a run; pipelines in parallel
# runspaces each get their own results; config-file warnings reach Write-Warning.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null
}

AfterAll {
    Set-EngineOverride $null
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'A create that may have reached GitLab' {
    BeforeEach { Reset-Fake $Fake }

    It 'is GitlabCli.OutcomeUnknown (OperationStopped), sent once, with how to check' {
        $env:GITLAB_ACCESS_TOKEN = $Fake.UserToken
        try {
            Invoke-Fake $Fake -Method POST -Path '/__fake/fail' -Body @{ count = 1; status = 500; body = '{"message":"500 Internal Server Error"}' } | Out-Null
            { New-GitlabPersonalAccessToken -Name 'Maybe' -Scope 'k8s_proxy' -ErrorAction Stop } |
                Should -Throw -ErrorId 'GitlabCli.OutcomeUnknown,GitlabCli.NewGitlabPersonalAccessTokenCommand'
            New-GitlabPersonalAccessToken -Name 'Maybe' -Scope 'k8s_proxy' -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        @(Get-FakeTokenPost $Fake).Count | Should -Be 2 -Because 'one POST per call, never a retry'
    }

    It 'carries the hint and status on the record' {
        $env:GITLAB_ACCESS_TOKEN = $Fake.UserToken
        try {
            Invoke-Fake $Fake -Method POST -Path '/__fake/fail' -Body @{ count = 1; status = 502; body = '<html>bad gateway</html>'; content_type = 'text/html' } | Out-Null
            New-GitlabPersonalAccessToken -Name 'Maybe' -Scope 'k8s_proxy' -ErrorAction SilentlyContinue -ErrorVariable failures | Out-Null
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.OutcomeUnknown*'
        $failures[0].CategoryInfo.Category | Should -Be 'OperationStopped'
        $failures[0].Exception.Status | Should -Be 502
        $failures[0].Exception.Message | Should -BeLike "*'Maybe'*may have been created*"
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-GitlabPersonalAccessToken*'
    }
}

Describe 'The engine dying mid-pipeline' -Skip:($IsWindows) {
    BeforeAll {
        # A stand-in engine: plans every record, creates a token for the first run, and dies on
        # the second with a message on stderr.
        $script:DyingEngine = Join-Path $TestDrive 'dying-engine'
        @'
#!/bin/sh
# The hello line first, as gitlabcli serve writes it.
printf '{"v":1,"id":null,"type":"hello","hello":{"protocol_version":1,"engine_version":"0.0.0-test","scopes":["api"],"error_kinds":["protocol"],"concurrency":%s}}\n' "${GITLABCLI_CONCURRENCY:-8}"
n=0
runs=0
while IFS= read -r line; do
  n=$((n+1))
  case "$line" in
    *'"mode":"plan"'*)
      printf '{"v":1,"id":"%s","type":"plan","plan":{"command":"create-personal-access-token","target":"record %s","action":"Create personal access token","requests":[],"params":{"name":"r%s","scopes":["api"]}}}\n' "$n" "$n" "$n" ;;
    *)
      runs=$((runs+1))
      if [ "$runs" -ge 2 ]; then
        echo 'engine crashed on purpose' >&2
        exit 3
      fi
      printf '{"v":1,"id":"%s","type":"result","result":{"id":501,"name":"first","revoked":false,"scopes":["api"],"active":true,"token":"glpat-survivor-token-0001","site_url":"https://gitlab.example.com","copied_to_clipboard":false}}\n' "$n" ;;
  esac
done
'@ | Set-Content -LiteralPath $DyingEngine -Encoding utf8NoBOM
        chmod +x $DyingEngine
        # The same, dying on the first run request instead of the second.
        $script:EarlyDyingEngine = Join-Path $TestDrive 'early-dying-engine'
        (Get-Content -LiteralPath $DyingEngine -Raw) -replace '-ge 2', '-ge 1' | Set-Content -LiteralPath $EarlyDyingEngine -Encoding utf8NoBOM -NoNewline
        chmod +x $EarlyDyingEngine
    }
    BeforeEach { Set-EngineOverride $DyingEngine }
    AfterEach { Set-EngineOverride $null }

    It 'keeps the token already created, even in an assignment' {
        $tokens = @('a', 'b', 'c', 'd' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
                New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction SilentlyContinue -ErrorVariable failures)
        $tokens.Count | Should -Be 1
        $tokens[0].Token | Should -Be 'glpat-survivor-token-0001'
        $failures.Count | Should -Be 3
    }

    It 'gives each record sent but not answered OutcomeUnknown, naming it, in input order' {
        # All four run requests fit in the send window, so each may have reached the engine.
        $records = 'a', 'b', 'c', 'd' | ForEach-Object { [pscustomobject]@{ Name = $_ } }
        $null = $records | New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction SilentlyContinue -ErrorVariable failures
        $failures.Count | Should -Be 3
        $failures.TargetObject.Name | Should -Be @('b', 'c', 'd')
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.OutcomeUnknown*'
        $failures[0].Exception.Message | Should -BeLike '*record 2 may have been created*engine crashed on purpose*'
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -Match '^GitlabCli\.(OutcomeUnknown|EngineFailed),'
        }
    }

    It 'says how to check with the Get cmdlet of the token''s kind' {
        $records = 'a', 'b' | ForEach-Object { [pscustomobject]@{ Name = $_ } }
        $null = $records | New-GitlabProjectAccessToken -ProjectId acme/api -Scopes 'api' -ErrorAction SilentlyContinue -ErrorVariable failures
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.OutcomeUnknown*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*Get-GitlabProjectAccessToken*'
        $failures[0].ErrorDetails.RecommendedAction | Should -Not -BeLike '*PersonalAccessToken*'
    }

    It 'gives records never sent EngineFailed, saying no token was created' {
        # Concurrency 1: two run requests in flight at most, and the engine dies on the first.
        Set-EngineOverride $EarlyDyingEngine
        $env:GITLABCLI_CONCURRENCY = '1'
        try {
            $records = 'a', 'b', 'c', 'd' | ForEach-Object { [pscustomobject]@{ Name = $_ } }
            $tokens = @($records | New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction SilentlyContinue -ErrorVariable failures)
        } finally {
            $env:GITLABCLI_CONCURRENCY = $null
        }
        $tokens.Count | Should -Be 0
        $failures.Count | Should -Be 4
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.OutcomeUnknown*'
        $failures[0].TargetObject.Name | Should -Be 'a'
        $failures[2].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.EngineFailed*'
        $failures[2].TargetObject.Name | Should -Be 'c'
        $failures[2].Exception.Message | Should -BeLike 'No token was created for record 3*'
        $failures[3].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.EngineFailed*'
        $failures[3].Exception.Message | Should -BeLike 'No token was created for record 4*'
    }

    It 'keeps the rotated token and names the rotation in flight when the engine dies during rotation' {
        $records = 11, 12, 13 | ForEach-Object { [pscustomobject]@{ Id = $_ } }
        $tokens = @($records | Invoke-GitlabPersonalAccessTokenRotation -Confirm:$false -ErrorAction SilentlyContinue -ErrorVariable failures)
        $tokens.Count | Should -Be 1
        $tokens[0].Token | Should -Be 'glpat-survivor-token-0001'
        $failures.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.OutcomeUnknown*'
        $failures[0].TargetObject.Id | Should -Be 12
        $failures[0].Exception.Message | Should -BeLike '*record 2 may have been rotated*'
        $failures[1].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.EngineFailed*'
        $failures[1].Exception.Message | Should -BeLike 'record 3 was not rotated*'
    }

    It 'leaves no engine open' {
        'a', 'b' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
            New-GitlabPersonalAccessToken -Scope 'api' -ErrorAction SilentlyContinue | Out-Null
        (Get-OpenEngineCount) | Should -Be 0
    }
}

Describe 'A result the wrapper cannot fully read' -Skip:($IsWindows) {
    BeforeAll {
        # A stand-in engine whose result has fields of the wrong type.
        $script:OddEngine = Join-Path $TestDrive 'odd-engine'
        @'
#!/bin/sh
# The hello line first, as gitlabcli serve writes it.
printf '{"v":1,"id":null,"type":"hello","hello":{"protocol_version":1,"engine_version":"0.0.0-test","scopes":["api"],"error_kinds":["protocol"],"concurrency":%s}}\n' "${GITLABCLI_CONCURRENCY:-8}"
n=0
while IFS= read -r line; do
  n=$((n+1))
  case "$line" in
    *'"mode":"plan"'*)
      printf '{"v":1,"id":"%s","type":"plan","plan":{"command":"create-personal-access-token","target":"me","action":"Create","requests":[],"params":{"name":"odd","scopes":["api"]}}}\n' "$n" ;;
    *)
      printf '{"v":1,"id":"%s","type":"result","result":{"id":"not-a-number","name":"odd","user_id":{"x":1},"scopes":["api"],"token":"glpat-odd-but-kept-0001","site_url":"https://gitlab.example.com"}}\n' "$n" ;;
  esac
done
'@ | Set-Content -LiteralPath $OddEngine -Encoding utf8NoBOM
        chmod +x $OddEngine
    }
    AfterEach { Set-EngineOverride $null }

    It 'still outputs the token, with a warning' {
        Set-EngineOverride $OddEngine
        $all = New-GitlabPersonalAccessToken -Name 'odd' -Scope 'api' 3>&1
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        $tokens = @($all | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] })
        $tokens.Count | Should -Be 1
        $tokens[0].Token | Should -Be 'glpat-odd-but-kept-0001'
        $tokens[0].Name | Should -Be 'odd'
        $warnings.Count | Should -Be 1
        $warnings[0].Message | Should -BeLike '*GitLab shows it only once*'
        $warnings[0].Message | Should -Not -BeLike '*glpat-odd-but-kept-0001*'
    }
}

Describe 'Secrets in the process table' -Skip:(-not $IsLinux) {
    BeforeEach { Reset-Fake $Fake }

    It 'no process''s command line or environment holds the access token or a new token while the engine runs' {
        # A fresh administrator token nobody else on this machine can hold (the fake's fixture
        # tokens are the same in every fake, other test runs included), from the config file, so
        # it is in no environment to start with.
        $access = (Invoke-Fake $Fake -Method POST -Path '/api/v4/users/1/personal_access_tokens' -Headers @{ 'PRIVATE-TOKEN' = $Fake.AdminToken } `
                -Body @{ name = 'scan'; scopes = @('api') }).token
        Clear-FakeRequest $Fake
        $before = @(Get-FakeToken $Fake | ForEach-Object token)
        Set-TestConfig -Sites @(@{ Url = $Fake.Url; AccessToken = $access; IsDefault = $true })
        $savedUrl = $env:GITLAB_URL
        Remove-Item Env:\GITLAB_ACCESS_TOKEN, Env:\GITLAB_URL
        $script:Snapshots = [System.Collections.Generic.List[string]]::new()
        try {
            'one', 'two', 'three' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
                New-GitlabPersonalAccessToken -Scope 'api' |
                ForEach-Object {
                    # Runs while the engine is alive, after this token was created.
                    foreach ($dir in Get-ChildItem /proc -Directory -ErrorAction SilentlyContinue | Where-Object Name -Match '^\d+$') {
                        foreach ($file in 'cmdline', 'environ') {
                            try { $script:Snapshots.Add([System.IO.File]::ReadAllText("$($dir.FullName)/$file")) } catch { $null = $_ }
                        }
                    }
                    $_
                } | Out-Null
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
            $env:GITLAB_URL = $savedUrl
            Remove-TestConfig
        }
        $issued = @(Get-FakeToken $Fake | ForEach-Object token | Where-Object { $_ -notin $before })
        $issued.Count | Should -Be 3
        $Snapshots.Count | Should -BeGreaterThan 10
        $engines = @($Snapshots | Where-Object { $_ -like '*gitlabcli*serve*' })
        $engines.Count | Should -BeGreaterThan 0 -Because 'the engine was alive during the scan'
        foreach ($text in $Snapshots) {
            $text.Contains($access) | Should -BeFalse
            foreach ($value in $issued) { $text.Contains($value) | Should -BeFalse }
        }
    }
}

Describe 'Secrets in every stream' {
    BeforeEach { Reset-Fake $Fake }

    It 'a successful run shows the new token only in the output object, and the access token nowhere' {
        $run = Invoke-InScriptedHost -Script @'
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            New-GitlabPersonalAccessToken -UserId jsmith -Name 'Streams' -Scope api -Verbose -Debug *>&1 |
                ForEach-Object { if ($_ -is [pscustomobject] -and $_.PSObject.TypeNames -contains 'Gitlab.NewPersonalAccessToken') { $_ } else { "stream: $_" } }
            New-GitlabPersonalAccessToken -UserId jsmith -Name 'Streams' -Scope api -WhatIf -Verbose -Debug
'@
        $issued = @(Get-FakeToken $Fake | ForEach-Object token)
        $issued.Count | Should -Be 1
        $tokens = @($run.Output | Where-Object { $_ -isnot [string] })
        $tokens.Count | Should -Be 1
        $tokens[0].Token | Should -Be $issued[0]
        $texts = @($run.Output | Where-Object { $_ -is [string] }) + @($run.Lines) + @($run.Warnings | ForEach-Object Message) +
            @($run.Information | ForEach-Object { "$($_.MessageData)" }) + @($run.Errors | ForEach-Object { "$_" })
        @($texts | Where-Object { $_ -like 'stream: *' }).Count | Should -BeGreaterThan 3 -Because 'verbose and debug records were captured'
        @($run.Lines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 1
        $all = $texts -join "`n"
        $all.Contains($Fake.AdminToken) | Should -BeFalse
        $all.Contains($issued[0]) | Should -BeFalse
    }
}

Describe 'Pipelines in parallel runspaces' {
    BeforeEach { Reset-Fake $Fake }

    It 'each get their own tokens, all correct' {
        $manifest = Get-ModuleManifestPath
        $results = 1..4 | ForEach-Object -ThrottleLimit 4 -Parallel {
            Import-Module $using:manifest
            $lane = $_
            1..5 | ForEach-Object { [pscustomobject]@{ Name = "lane$lane-$_" } } |
                New-GitlabPersonalAccessToken -Scope 'api' |
                ForEach-Object { [pscustomobject]@{ Lane = $lane; Name = $_.Name; Token = $_.Token } }
        }
        $results.Count | Should -Be 20
        foreach ($lane in 1..4) {
            $mine = @($results | Where-Object Lane -EQ $lane)
            ($mine.Name -join ',') | Should -Be ((1..5 | ForEach-Object { "lane$lane-$_" }) -join ',')
        }
        $issued = @(Get-FakeToken $Fake)
        $issued.Count | Should -Be 20
        foreach ($result in $results) {
            $match = @($issued | Where-Object token -EQ $result.Token)
            $match.Count | Should -Be 1
            $match[0].name | Should -Be $result.Name
        }
    }
}

Describe 'Plain http to a remote host' {
    It 'warns once per pipeline that the token would travel in clear' {
        $saved = $env:GITLAB_URL
        $env:GITLAB_URL = 'http://gitlab.invalid'
        try {
            $all = 'a', 'b' | ForEach-Object { [pscustomobject]@{ Name = $_ } } |
                New-GitlabPersonalAccessToken -Scope 'k8s_proxy' -ErrorAction SilentlyContinue -ErrorVariable failures 3>&1
        } finally {
            $env:GITLAB_URL = $saved
        }
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeLike '*http://gitlab.invalid uses plain http://*unencrypted*'
        $failures.Count | Should -Be 2
        $failures | ForEach-Object { $_.FullyQualifiedErrorId | Should -Be 'GitlabCli.Network,GitlabCli.NewGitlabPersonalAccessTokenCommand' }
    }
}

Describe 'Config file warnings' -Skip:(-not $IsLinux) {
    AfterEach { Remove-TestConfig }

    It 'warns when others can read the config file, and not when it is 0600' {
        Set-TestConfig -Sites @(@{ Url = 'https://gitlab.example.com'; AccessToken = 'config-file-token-1234'; IsDefault = $true })
        $path = Get-TestConfigPath
        chmod 644 $path
        $all = New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' -WhatIf 3>&1
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeLike "*$path*chmod 600*"
        $warnings[0] | Should -Not -BeLike '*config-file-token-1234*'
        chmod 600 $path
        $all = New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' -WhatIf 3>&1
        @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] }).Count | Should -Be 0
    }
}

Describe 'HTTPS' {
    BeforeAll {
        $script:CaFile = Join-Path $TestDrive 'corporate-ca.pem'
        Set-Content -LiteralPath $CaFile -Value $Fake.TlsCaPem -Encoding utf8NoBOM -NoNewline
    }
    BeforeEach {
        Reset-Fake $Fake
        $env:GITLAB_URL = $Fake.TlsUrl
    }
    AfterEach {
        $env:GITLAB_URL = $Fake.Url
        $env:SSL_CERT_FILE = $null
    }

    It 'creates the token over TLS when SSL_CERT_FILE names the CA' {
        $env:SSL_CERT_FILE = $CaFile
        $token = New-GitlabPersonalAccessToken -Name 'over tls' -Scope 'api'
        $token.Token | Should -Not -BeNullOrEmpty
        $token.SiteUrl | Should -Be $Fake.TlsUrl
        $posts = @(Get-FakeRequest $Fake | Where-Object method -EQ 'POST')
        $posts.Count | Should -Be 1
    }

    It 'refuses an untrusted certificate as GitlabCli.Network, says how to trust a CA, and sends nothing' {
        { New-GitlabPersonalAccessToken -Name 'over tls' -Scope 'api' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.Network,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        $failure = $Error[0]
        $failure.ErrorDetails.RecommendedAction | Should -BeLike '*SSL_CERT_FILE*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}
