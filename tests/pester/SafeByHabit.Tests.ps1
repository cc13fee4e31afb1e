# Issue 14 ("Safe by habit"), the module's side: lifecycle defaults that cannot destroy tokens
# (Get's default state, Rotate's piped state and -Force, Revoke and the token in use), text that
# cannot be sent, progress while waiting, and config warnings from every command but completion.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    Initialize-ScriptedHost
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    function script:Add-FakePat([hashtable] $Spec) {
        @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body $Spec)
    }

    function script:Get-TokenRequest([long] $Id) {
        # Every API request about token $Id (a read, a rotation or a revocation).
        @(Get-FakeRequest $Fake | Where-Object { $_.path -like "/api/v4/personal_access_tokens/$Id*" })
    }

    function script:New-RotatedFamily {
        # Ten tokens of jsmith's (ids 1-10), then alice's 11, rotated to 12: 11 is revoked, 12 works.
        Add-FakePat @{ username = 'jsmith'; name = 'other'; count = 10 } | Out-Null
        Add-FakePat @{ username = 'alice'; name = 'CI' } | Out-Null
        $rotated = Invoke-GitlabPersonalAccessTokenRotation -TokenId 11 -Confirm:$false
        $rotated.Id | Should -Be 12
        Clear-FakeRequest $Fake
        $rotated
    }
}

AfterAll {
    Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ delay_ms = 0 } | Out-Null
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe 'Get-GitlabPersonalAccessToken -State' {
    BeforeEach { Reset-Fake $Fake }

    It 'sends no state without -State (the engine lists active tokens), and -State all lists every state' {
        Add-FakePat @{ username = 'alice'; name = 'gone'; revoked = $true } | Out-Null
        Add-FakePat @{ username = 'alice'; name = 'works' } | Out-Null
        Clear-FakeRequest $Fake
        (Get-GitlabPersonalAccessToken -UserId alice).Name | Should -Be @('works')
        @(Get-GitlabPersonalAccessToken -UserId alice -State all).Name | Should -Be @('gone', 'works')
        $lists = @(Get-FakeRequest $Fake | Where-Object path -EQ '/api/v4/personal_access_tokens')
        $lists[0].query.state | Should -Be 'active'
        $lists[1].query.PSObject.Properties.Name | Should -Not -Contain 'state'
    }
}

Describe 'Rotating what Get lists' {
    BeforeEach { Reset-Fake $Fake }

    It 'Get -State all | Rotate refuses the revoked 11 before anything is sent for it, and 12''s rotation leaves a working token' {
        New-RotatedFamily | Out-Null
        $new = @(Get-GitlabPersonalAccessToken -UserId alice -State all |
                Rotate-GitlabPersonalAccessToken -Confirm:$false -ErrorVariable failures -ErrorAction SilentlyContinue)
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand'
        $failures[0].Exception.Message | Should -BeLike '*#11*revoked*family*newest replacement*'
        $failures[0].TargetObject.Id | Should -Be 11
        Get-TokenRequest 11 | Should -BeNullOrEmpty -Because 'the piped state refuses it at plan time'
        $new.Count | Should -Be 1
        $new[0].Id | Should -Be 13
        $env:GITLAB_ACCESS_TOKEN = $new[0].Token
        try {
            (Get-GitlabPersonalAccessToken -Self).Id | Should -Be 13
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        @(Get-FakeToken $Fake | Where-Object { $_.id -eq 13 -and -not $_.revoked }).Count | Should -Be 1
    }

    It 'a record without Revoked does not inherit the previous record''s (-WhatIf: one refusal, one what-if line)' {
        New-RotatedFamily | Out-Null
        $run = Invoke-InScriptedHost -Script @'
            [pscustomobject]@{ Id = 11; Revoked = $true; Active = $false }, [pscustomobject]@{ Id = 12 } |
                Invoke-GitlabPersonalAccessTokenRotation -WhatIf
'@
        @($run.Errors).Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -BeLike 'GitlabCli.InvalidArgument,*'
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf.Count | Should -Be 1
        $whatIf[0] | Should -BeLike '*#12*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'reads Import-Csv''s text True/False, and refuses a state that is neither' {
        New-RotatedFamily | Out-Null
        $csv = @(Get-GitlabPersonalAccessToken -UserId alice -State all | ConvertTo-Csv | ConvertFrom-Csv)
        $csv[0].Revoked | Should -BeOfType [string]
        Clear-FakeRequest $Fake
        $run = Invoke-InScriptedHost -Script '$Arguments.Csv | Invoke-GitlabPersonalAccessTokenRotation -WhatIf; [pscustomobject]@{ Id = 12; Revoked = "maybe" } | Invoke-GitlabPersonalAccessTokenRotation -WhatIf' -Arguments @{ Csv = $csv }
        @($run.Errors).Count | Should -Be 2
        "$($run.Errors[0])" | Should -BeLike '*#11*revoked*'
        "$($run.Errors[1])" | Should -BeLike "*Revoked property is 'maybe'*"
        $run.Errors[1].Exception.Parameter | Should -Be 'revoked'
        @($run.Lines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 1
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'refuses -Active and -Revoked on the command line, sending nothing' {
        Add-FakePat @{ username = 'alice'; name = 'CI' } | Out-Null
        Clear-FakeRequest $Fake
        $err = { Invoke-GitlabPersonalAccessTokenRotation -TokenId 1 -Active $true -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand' -PassThru
        $err.Exception.Message | Should -BeLike '-Active is read only from piped tokens*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'refuses an inactive piped token without -Force, and with -Force goes on with a warning' {
        Add-FakePat @{ username = 'alice'; name = 'old'; expires_at = '2020-01-01' } | Out-Null
        Clear-FakeRequest $Fake
        $err = { Get-GitlabPersonalAccessToken -UserId alice -State all | Invoke-GitlabPersonalAccessTokenRotation -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'GitlabCli.InvalidArgument,GitlabCli.InvokeGitlabPersonalAccessTokenRotationCommand' -PassThru
        $err.Exception.Message | Should -BeLike '*inactive*-Force*'
        Get-TokenRequest 1 | Should -BeNullOrEmpty
        Get-GitlabPersonalAccessToken -UserId alice -State all |
            Invoke-GitlabPersonalAccessTokenRotation -Force -WhatIf -WarningVariable warnings -WarningAction SilentlyContinue
        "$($warnings[0])" | Should -BeLike '*inactive*because of -Force*'
    }

    It 'says once, not at the plan and again at the run, that a forced rotation is of an inactive token' {
        Add-FakePat @{ username = 'alice'; name = 'old'; expires_at = '2020-01-01' } | Out-Null
        Get-GitlabPersonalAccessToken -UserId alice -State all |
            Invoke-GitlabPersonalAccessTokenRotation -Force -Confirm:$false -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction SilentlyContinue |
            Out-Null
        @($warnings | Where-Object { "$_" -like '*inactive*because of -Force*' }).Count | Should -Be 1
        Get-TokenRequest 1 | Where-Object { $_.method -eq 'POST' -and $_.path -like '*/rotate' } | Should -Not -BeNullOrEmpty
    }
}

Describe 'Revoking a list that holds the token in use' {
    BeforeEach { Reset-Fake $Fake }

    It 'refuses the token in use by id, naming -Self, and revokes the other records' {
        Add-FakePat @{ username = 'alice'; name = 'a'; count = 2 } | Out-Null
        $inUse = (Add-FakePat @{ username = 'alice'; name = 'in use'; value = 'glpat-alice-in-use-00001' })[0]
        Add-FakePat @{ username = 'alice'; name = 'b' } | Out-Null
        $env:GITLAB_ACCESS_TOKEN = $inUse.token
        try {
            $ids = @(Get-GitlabPersonalAccessToken -Mine | Sort-Object Id |
                    Revoke-GitlabPersonalAccessToken -Confirm:$false -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue)
        } finally {
            $env:GITLAB_ACCESS_TOKEN = $Fake.AdminToken
        }
        $ids | Should -Be @(1, 2, 4)
        @($failures).Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.RevokeGitlabPersonalAccessTokenCommand'
        $failures[0].Exception.Message | Should -BeLike "*#$($inUse.id)*in use*-Self*"
        $failures[0].TargetObject.Id | Should -Be $inUse.id
        (Get-FakeToken $Fake | Where-Object id -EQ $inUse.id).revoked | Should -BeFalse
    }
}

Describe 'Text that cannot be sent' {
    BeforeEach { Reset-Fake $Fake }

    It '<Case> is GitlabCli.InvalidArgument naming <Shown>, the code point and its position, and nothing is sent' -ForEach @(
        @{ Case = 'a lone high surrogate in -Name'; Shown = '-Name'; Parameter = 'name'; Code = 'D800'; Position = 3; Run = { New-GitlabPersonalAccessToken -Name "ci$([char] 0xD800)" -Scope api -ErrorAction Stop } }
        @{ Case = 'a lone low surrogate after a pair in -Name'; Shown = '-Name'; Parameter = 'name'; Code = 'DC00'; Position = 3; Run = { New-GitlabPersonalAccessToken -Name "a$([char]::ConvertFromUtf32(0x1F600))$([char] 0xDC00)" -Scope api -ErrorAction Stop } }
        @{ Case = 'a piped Name'; Shown = '-Name'; Parameter = 'name'; Code = 'D83D'; Position = 1; Run = { [pscustomobject]@{ Name = "$([char] 0xD83D)x" } | New-GitlabPersonalAccessToken -Scope api -ErrorAction Stop } }
        @{ Case = 'the alias -Username'; Shown = '-UserId'; Parameter = 'user'; Code = 'D800'; Position = 2; Run = { New-GitlabPersonalAccessToken -Username "j$([char] 0xD800)" -Name ci -Scope api -ErrorAction Stop } }
        @{ Case = 'Get''s -Search'; Shown = '-Search'; Parameter = 'search'; Code = 'DBFF'; Position = 4; Run = { Get-GitlabPersonalAccessToken -Search "dep$([char] 0xDBFF)" -ErrorAction Stop } }
        @{ Case = 'Get''s -UserId'; Shown = '-UserId'; Parameter = 'user'; Code = 'DFFF'; Position = 1; Run = { Get-GitlabPersonalAccessToken -UserId "$([char] 0xDFFF)" -ErrorAction Stop } }
    ) {
        $err = $Run | Should -Throw -ErrorId 'GitlabCli.InvalidArgument,*' -PassThru
        $err.Exception.Parameter | Should -Be $Parameter
        $err.Exception.Message | Should -BeLike "$Shown contains U+$Code (a lone surrogate) at position $Position*"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}

Describe 'Progress while GitLab is slow' {
    AfterEach { Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ delay_ms = 0 } | Out-Null }

    It 'the engine''s "Waiting for GitLab" becomes Write-Progress records, ending with a completed one' {
        Reset-Fake $Fake
        Invoke-Fake $Fake -Method PUT -Path '/__fake/settings' -Body @{ delay_ms = 3000 } | Out-Null
        $run = Invoke-InScriptedHost -Script 'Get-GitlabPersonalAccessToken'
        $run.Errors | Should -BeNullOrEmpty
        $waiting = @($run.Progress | Where-Object Activity -EQ 'Waiting for GitLab')
        $waiting.Count | Should -BeGreaterOrEqual 2
        $waiting[-1].RecordType | Should -Be 'Completed'
        @($waiting | Select-Object -ExpandProperty ActivityId -Unique).Count | Should -Be 1
        $waiting[0].ParentActivityId | Should -Be -1 -Because 'a lone request has no bar of its own to nest under'
    }
}

Describe 'Config warnings' -Skip:$IsWindows {
    BeforeAll {
        $script:SavedUrl = $env:GITLAB_URL
        $script:SavedToken = $env:GITLAB_ACCESS_TOKEN
    }

    BeforeEach {
        Reset-Fake $Fake
        Add-FakePat @{ username = 'alice'; name = 'CI'; count = 3 } | Out-Null
        $env:GITLAB_URL = $null
        $env:GITLAB_ACCESS_TOKEN = $null
        Set-TestConfig -Sites @(@{ Url = $Fake.Url; AccessToken = $Fake.AdminToken; IsDefault = $true })
        chmod 644 (Get-TestConfigPath)
    }

    AfterEach {
        Remove-TestConfig
        $env:GITLAB_URL = $SavedUrl
        $env:GITLAB_ACCESS_TOKEN = $SavedToken
    }

    It '<Name> shows the "other users can read" warning' -ForEach @(
        @{ Name = 'Get'; Run = { Get-GitlabPersonalAccessToken -TokenId 1 } }
        @{ Name = 'Rotate'; Run = { Invoke-GitlabPersonalAccessTokenRotation -TokenId 2 -Confirm:$false } }
        @{ Name = 'Revoke'; Run = { Revoke-GitlabPersonalAccessToken -TokenId 3 -Confirm:$false } }
    ) {
        $warnings = @(& $Run 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] })
        @($warnings | Where-Object { "$_" -like '*chmod 600*' }).Count | Should -Be 1
    }

    It 'completing -SiteUrl (which runs list-sites) writes no warning into the prompt' {
        $run = Invoke-InScriptedHost -Script '$line = "Get-GitlabPersonalAccessToken -SiteUrl "; (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText'
        $run.Output | Should -Contain $Fake.Url
        $run.Warnings | Should -BeNullOrEmpty
        @($run.Lines | Where-Object { $_ -like '*chmod*' }) | Should -BeNullOrEmpty
    }
}

Describe 'The module''s own messages name parameters as the cmdlets declare them' {
    BeforeEach { Reset-Fake $Fake }

    It '<Case>: every -Name in the message and hint is a parameter of <Command>' -ForEach @(
        @{ Case = '-ExpireInMonths 2.5'; Command = 'New-GitlabPersonalAccessToken'; Run = { New-GitlabPersonalAccessToken -Name ci -Scope api -ExpireInMonths 2.5 -ErrorAction Stop } }
        @{ Case = '-All with -MaxPages'; Command = 'Get-GitlabPersonalAccessToken'; Run = { Get-GitlabPersonalAccessToken -All -MaxPages 2 -ErrorAction Stop } }
        @{ Case = '-CopyToClipboard for two records'; Command = 'New-GitlabPersonalAccessToken'; Run = { [pscustomobject]@{ Name = 'a' }, [pscustomobject]@{ Name = 'b' } | New-GitlabPersonalAccessToken -Scope api -CopyToClipboard -ErrorAction Stop } }
        @{ Case = '-Revoked on the command line'; Command = 'Invoke-GitlabPersonalAccessTokenRotation'; Run = { Invoke-GitlabPersonalAccessTokenRotation -TokenId 1 -Revoked $false -Confirm:$false -ErrorAction Stop } }
        @{ Case = 'a lone surrogate'; Command = 'Get-GitlabPersonalAccessToken'; Run = { Get-GitlabPersonalAccessToken -Search "x$([char] 0xD800)" -ErrorAction Stop } }
    ) {
        $err = $Run | Should -Throw -ErrorId 'GitlabCli.InvalidArgument,*' -PassThru
        $parameters = @((Get-Command $Command).Parameters.Keys)
        $named = @([regex]::Matches("$($err.Exception.Message) $($err.Exception.Hint)", '(?<![\w-])-([A-Z][A-Za-z]+)') | ForEach-Object { $_.Groups[1].Value })
        $named.Count | Should -BeGreaterThan 0
        foreach ($name in $named) { $parameters | Should -Contain $name -Because "'$($err.Exception.Message)' names -$name" }
        $err.Exception.Message | Should -Not -Match '\b[a-z]+_[a-z_]+\b' -Because 'protocol names stay out of messages'
    }
}
