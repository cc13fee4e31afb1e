# Every engine error kind as an ErrorRecord: ErrorId GitlabCli.<Kind>, its ErrorCategory, the
# record as target object, GitLab's words and the engine's hint.

BeforeDiscovery {
    # Each case provokes one kind for real, against the fake GitLab, the config or the network.
    $script:Cases = @(
        @{ Kind = 'unauthorized'; Id = 'GitlabCli.Unauthorized'; Category = 'AuthenticationError'; Status = 401
            Arrange = { $env:GITLAB_ACCESS_TOKEN = 'glpat-not-a-token-gitlab-knows' }
            Act = { New-GitlabPersonalAccessToken -Name 'Unauthorized' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'unauthorized (expired token)'; Id = 'GitlabCli.Unauthorized'; Category = 'AuthenticationError'; Status = 401
            Arrange = { $env:GITLAB_ACCESS_TOKEN = 'fake-expired-token' }
            Act = { New-GitlabPersonalAccessToken -Name 'Expired' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'forbidden (non-admin, for another user)'; Id = 'GitlabCli.Forbidden'; Category = 'PermissionDenied'; Status = $null
            Arrange = { $env:GITLAB_ACCESS_TOKEN = $Fake.UserToken }
            Act = { New-GitlabPersonalAccessToken -UserId 'alice' -Name 'Not mine to give' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'forbidden (GitLab says insufficient_scope)'; Id = 'GitlabCli.Forbidden'; Category = 'PermissionDenied'; Status = 403
            Arrange = {
                $weak = Invoke-Fake $Fake -Method POST -Path '/api/v4/users/42/personal_access_tokens' -Headers @{ 'PRIVATE-TOKEN' = $Fake.AdminToken } `
                    -Body @{ name = 'weak'; scopes = @('read_api') }
                $env:GITLAB_ACCESS_TOKEN = $weak.token
                Clear-FakeRequest $Fake
            }
            Act = { New-GitlabPersonalAccessToken -Name 'Self service' -Scope 'k8s_proxy' -ErrorAction Stop } }
        @{ Kind = 'not-found (username)'; Id = 'GitlabCli.NotFound'; Category = 'ObjectNotFound'; Status = $null
            Arrange = { }
            Act = { New-GitlabPersonalAccessToken -UserId 'no-such-user' -Name 'Nobody' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'not-found (user id)'; Id = 'GitlabCli.NotFound'; Category = 'ObjectNotFound'; Status = 404
            Arrange = { }
            Act = { New-GitlabPersonalAccessToken -UserId '99999' -Name 'Nobody' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'invalid-argument (before sending)'; Id = 'GitlabCli.InvalidArgument'; Category = 'InvalidArgument'; Status = $null
            Arrange = { }
            Act = { New-GitlabPersonalAccessToken -Name 'Zero' -Scope 'api' -ExpireInMonths 0 -ErrorAction Stop } }
        @{ Kind = 'invalid-argument (GitLab 422)'; Id = 'GitlabCli.InvalidArgument'; Category = 'InvalidArgument'; Status = 422
            Arrange = { Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ require_expiry = $true; max_lifetime_days = 30 } | Out-Null }
            Act = { New-GitlabPersonalAccessToken -Name 'Too long' -Scope 'api' -ExpireInMonths 6 -ErrorAction Stop } }
        @{ Kind = 'rate-limited'; Id = 'GitlabCli.RateLimited'; Category = 'LimitsExceeded'; Status = 429
            Arrange = { Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = 3600 } | Out-Null }
            Act = { New-GitlabPersonalAccessToken -Name 'Later' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'server-error (500)'; Id = 'GitlabCli.ServerError'; Category = 'InvalidResult'; Status = 500
            Arrange = { Invoke-Fake $Fake -Method POST -Path '/__fake/fail' -Body @{ count = 10; status = 500; body = '{"message":"500 Internal Server Error"}' } | Out-Null }
            Act = { New-GitlabPersonalAccessToken -Name 'Broken' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'server-error (502 with HTML)'; Id = 'GitlabCli.ServerError'; Category = 'InvalidResult'; Status = 502
            Arrange = { Invoke-Fake $Fake -Method POST -Path '/__fake/fail' -Body @{ count = 10; status = 502; body = '<html><body>502 Bad Gateway</body></html>'; content_type = 'text/html' } | Out-Null }
            Act = { New-GitlabPersonalAccessToken -Name 'Gateway' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'network'; Id = 'GitlabCli.Network'; Category = 'ConnectionError'; Status = $null
            Arrange = { $env:GITLAB_URL = "http://127.0.0.1:$(Get-ClosedPort)" }
            Act = { New-GitlabPersonalAccessToken -Name 'Nobody home' -Scope 'api' -ErrorAction Stop } }
        @{ Kind = 'config (unknown site)'; Id = 'GitlabCli.Config'; Category = 'InvalidData'; Status = $null
            Arrange = { Set-TestConfig -Sites @(@{ Url = 'https://gitlab.example.com'; AccessToken = 'config-file-token'; IsDefault = 'true' }) }
            Act = { New-GitlabPersonalAccessToken -Name 'Where' -Scope 'api' -SiteUrl 'https://gitlab.unknown.example' -ErrorAction Stop } }
        @{ Kind = 'config (no token anywhere)'; Id = 'GitlabCli.Config'; Category = 'InvalidData'; Status = $null
            Arrange = { Remove-Item Env:\GITLAB_ACCESS_TOKEN, Env:\GITLAB_URL }
            Act = { New-GitlabPersonalAccessToken -Name 'Who' -Scope 'api' -ErrorAction Stop } }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Reset-Case {
        Reset-Fake $Fake
        Remove-TestConfig
        $env:GITLAB_URL = $Fake.Url
        $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Engine errors as ErrorRecords' {
    BeforeEach { Reset-Case }
    AfterAll { Reset-Case }

    It '<Kind> is <Id> (<Category>)' -ForEach $Cases {
        . $Arrange
        $record = $Act | Should -Throw -ErrorId "$Id,GitlabCli.NewGitlabPersonalAccessTokenCommand" -PassThru

        $record.CategoryInfo.Category | Should -Be $Category
        $record.Exception | Should -BeOfType [GitlabCli.GitlabCliException]
        $record.Exception.Kind | Should -Be ($Id -creplace '^GitlabCli\.', '' -creplace '(?<=[a-z])([A-Z])', '-$1').ToLowerInvariant()
        $record.Exception.Status | Should -Be $Status
        $record.Exception.Message | Should -Not -BeNullOrEmpty
        if ($record.Exception.Hint) {
            $record.ErrorDetails.RecommendedAction | Should -Be $record.Exception.Hint
        }
        # A direct call's target object is its bound parameters.
        $record.TargetObject.Name | Should -Not -BeNullOrEmpty
        @($record.TargetObject.Scope) | Should -Not -BeNullOrEmpty
        # No secret in the message.
        $record.Exception.Message | Should -Not -BeLike "*$($Fake.AdminToken)*"
        $record.Exception.Message | Should -Not -BeLike '*glpat-not-a-token-gitlab-knows*'
    }

    It 'adds GitLab''s own words to the message once' {
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ require_expiry = $true; max_lifetime_days = 30 } | Out-Null
        $record = { New-GitlabPersonalAccessToken -Name 'Too long' -Scope 'api' -ExpireInMonths 6 -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $record.Exception.GitlabMessage | Should -Match 'Expires at must be before'
        $record.Exception.Message | Should -BeLike "*$($record.Exception.GitlabMessage)*"
        ([regex]::Matches($record.Exception.Message, [regex]::Escape($record.Exception.GitlabMessage))).Count | Should -Be 1
    }

    It 'carries Retry-After on a rate-limited error' {
        Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = 3600 } | Out-Null
        $record = { New-GitlabPersonalAccessToken -Name 'Later' -Scope 'api' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.RateLimited,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $record.Exception.RetryAfter | Should -Be 3600
    }

    It 'names the parameter at fault on an invalid-argument error' {
        $record = { New-GitlabPersonalAccessToken -Name 'Both' -Scope 'api' -ExpireInMonths 2 -ExpiresAt '2099-01-01' -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        $record.Exception.Parameter | Should -BeIn @('expires_at', 'expire_in_months')
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'is non-terminating by default: the error is written and the command returns' {
        $failures = $null
        $output = New-GitlabPersonalAccessToken -UserId 'no-such-user' -Name 'Nobody' -Scope 'api' -ErrorVariable failures -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.NotFound,GitlabCli.NewGitlabPersonalAccessTokenCommand'
    }

    It 'uses the piped record as the target object' {
        $row = [pscustomobject]@{ Username = 'no-such-user'; Name = 'Nobody'; Team = 'payments' }
        $failures = $null
        $row | New-GitlabPersonalAccessToken -Scope 'api' -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].TargetObject | Should -Be $row
    }
}

Describe 'Error kinds no request can provoke' {
    It 'a protocol error from the engine is GitlabCli.Protocol (ProtocolError)' {
        # The module never sends a bad line, so ask the real engine for a command it does not know
        # through the module's own request path.
        $engine = [GitlabCli.Engine]::Start()
        try {
            $id = $engine.Send('run', 'no-such-command', '{}')
            $answer = $null
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ($null -eq $answer -and [datetime]::UtcNow -lt $deadline) {
                $answer = @($engine.Read($id, 250, $false, $false) | Where-Object IsTerminal)[0]
            }
            $record = [GitlabCli.ErrorRecords]::FromEngine($answer.Error('result'), 'probe')
        } finally {
            $engine.Close(2000)
        }
        $record.FullyQualifiedErrorId | Should -Be 'GitlabCli.Protocol'
        $record.CategoryInfo.Category | Should -Be 'ProtocolError'
        $record.Exception.Kind | Should -Be 'protocol'
        $record.Exception.Message | Should -BeLike '*no-such-command*'
    }

    It 'the reserved clipboard kind maps to GitlabCli.Clipboard (WriteError)' {
        $record = [GitlabCli.ErrorRecords]::FromDictionary(@{ kind = 'clipboard'; message = 'No clipboard.'; hint = 'Run it where there is a display.' }, 'x')
        $record.FullyQualifiedErrorId | Should -Be 'GitlabCli.Clipboard'
        $record.CategoryInfo.Category | Should -Be 'WriteError'
        $record.ErrorDetails.RecommendedAction | Should -Be 'Run it where there is a display.'
    }

    It 'a kind a newer engine may add still gets a GitlabCli-prefixed ErrorId' {
        $record = [GitlabCli.ErrorRecords]::FromDictionary(@{ kind = 'payment-required'; message = 'Upgrade.' }, 'x')
        $record.FullyQualifiedErrorId | Should -Be 'GitlabCli.PaymentRequired'
        $record.CategoryInfo.Category | Should -Be 'NotSpecified'
    }
}
