# -WhatIf and -Confirm, per record, with the engine's precise target and action. -Confirm runs in
# a runspace whose host answers the prompts from a script (see ScriptedHost.cs).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    Initialize-ScriptedHost
    $script:Fake = Start-FakeGitlab
    Enter-TestEnvironment -Fake $Fake | Out-Null

    $script:Yes = 0
    $script:YesToAll = 1
    $script:No = 2
    $script:NoToAll = 3


    # Four records for the prompts: three users, one of them twice.
    $script:RecordsScript = @'
        @(
            [pscustomobject]@{ Username = 'jsmith'; Name = 'Token 1' }
            [pscustomobject]@{ Username = 'alice'; Name = 'Token 2' }
            [pscustomobject]@{ Username = 'root'; Name = 'Token 3' }
            [pscustomobject]@{ Username = 'jsmith'; Name = 'Token 4' }
        ) | New-GitlabPersonalAccessToken -Scope api, read_api -ExpiresAt 'EXPIRY' -Confirm
'@ -replace 'EXPIRY', (Get-Date).Date.AddDays(30).ToString('yyyy-MM-dd')
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe '-WhatIf' {
    BeforeEach { Reset-Fake $Fake }

    It 'describes each record precisely and sends no HTTP request at all' {
        $date = (Get-Date).Date.AddDays(30).ToString('yyyy-MM-dd')
        $run = Invoke-InScriptedHost -Script @"
            @(
                [pscustomobject]@{ Username = 'jsmith'; Name = 'CI Token' }
                [pscustomobject]@{ Username = 'alice'; Name = 'Other' }
            ) | New-GitlabPersonalAccessToken -Scope api, read_api -ExpiresAt '$date' -WhatIf
            New-GitlabPersonalAccessToken -Name 'Mine' -Scope k8s_proxy -WhatIf
"@
        $run.Errors | Should -BeNullOrEmpty
        $run.Output | Should -BeNullOrEmpty
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf | Should -Be @(
            "What if: Performing the operation `"Create personal access token 'CI Token' (scopes: api, read_api; expires $date)`" on target `"user 'jsmith' on $($Fake.Url)`"."
            "What if: Performing the operation `"Create personal access token 'Other' (scopes: api, read_api; expires $date)`" on target `"user 'alice' on $($Fake.Url)`"."
            "What if: Performing the operation `"Create personal access token 'Mine' (scopes: k8s_proxy; expiry: the instance's default)`" on target `"your own account on $($Fake.Url)`"."
        )
        @(Get-FakeRequest $Fake).Count | Should -Be 0
        @(Get-FakeToken $Fake).Count | Should -Be 0
    }

    It 'shows no secret' {
        $run = Invoke-InScriptedHost -Script "New-GitlabPersonalAccessToken -UserId jsmith -Name 'Quiet' -Scope api -WhatIf -Verbose -Debug"
        ($run.Lines -join "`n") | Should -Not -BeLike "*$($Fake.AdminToken)*"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'still reports a record that fails validation, and sends nothing' {
        $run = Invoke-InScriptedHost -Script "New-GitlabPersonalAccessToken -Name 'Bad' -Scope api -ExpireInMonths 0 -WhatIf"
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        @($run.Lines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 0
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}

Describe '-WhatIf of many records (plans written ahead of their answers)' {
    BeforeEach { Reset-Fake $Fake }

    It 'reports every record in input order, refusals of the engine and of the module alike' {
        $script = @'
            @(
                [pscustomobject]@{ Username = 'jsmith'; Name = 'First' }
                [pscustomobject]@{ Username = 'not a user name!'; Name = 'Refused by the engine' }
                [pscustomobject]@{ Username = 'alice'; Name = "Refused by the module $([char]0xD800)" }
                [pscustomobject]@{ Username = 'root'; Name = 'Fourth' }
            ) | New-GitlabPersonalAccessToken -Scope api -WhatIf
'@
        $run = Invoke-InScriptedHost -Script $script
        @($run.Lines | Where-Object { $_ -like 'What if:*' }) | Should -HaveCount 2
        ($run.Lines | Where-Object { $_ -like 'What if:*' })[0] | Should -BeLike "*'First'*"
        ($run.Lines | Where-Object { $_ -like 'What if:*' })[1] | Should -BeLike "*'Fourth'*"
        $run.Errors | Should -HaveCount 2
        $run.Errors.FullyQualifiedErrorId | Should -Be @('GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand', 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand')
        $run.Errors.TargetObject.Name | Should -Be @('Refused by the engine', "Refused by the module $([char]0xD800)")
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }

    It 'with -ErrorAction Stop, shows the records before the refused one and none after it' {
        $script = @'
            try {
                @(
                    [pscustomobject]@{ Username = 'jsmith'; Name = 'First' }
                    [pscustomobject]@{ Username = 'alice'; Name = 'Second' }
                    [pscustomobject]@{ Username = 'alice'; Name = "Refused $([char]0xD800)" }
                    [pscustomobject]@{ Username = 'root'; Name = 'Fourth' }
                ) | New-GitlabPersonalAccessToken -Scope api -WhatIf -ErrorAction Stop
            } catch { "stopped: $($_.FullyQualifiedErrorId)" }
'@
        $run = Invoke-InScriptedHost -Script $script
        $run.Output | Should -Be @('stopped: GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand')
        $whatIf = @($run.Lines | Where-Object { $_ -like 'What if:*' })
        $whatIf | Should -HaveCount 2
        $whatIf[0] | Should -BeLike "*'First'*"
        $whatIf[1] | Should -BeLike "*'Second'*"
        @(Get-FakeRequest $Fake).Count | Should -Be 0
    }
}

Describe '-Confirm' {
    BeforeEach { Reset-Fake $Fake }

    It 'asks once per record with the target and action, and creates only what was confirmed' {
        $run = Invoke-InScriptedHost -Script $RecordsScript -Answers $Yes, $No, $Yes, $No
        $run.Errors | Should -BeNullOrEmpty
        $run.Prompts.Count | Should -Be 4
        $run.Unanswered | Should -Be 0
        $run.Prompts[0].Message | Should -BeLike "*Create personal access token 'Token 1' (scopes: api, read_api; expires *)*user 'jsmith' on $($Fake.Url)*"
        $run.Prompts[1].Message | Should -BeLike "*'Token 2'*user 'alice'*"
        $run.Prompts[0].Choices | Should -Be @('&Yes', 'Yes to &All', '&No', 'No to A&ll', '&Suspend')
        $run.Output.Name | Should -Be @('Token 1', 'Token 3')
        # Created concurrently: the arrival order may vary; the output above is in input order.
        (Get-FakeTokenPost $Fake).path | Sort-Object | Should -Be @('/api/v4/users/1/personal_access_tokens', '/api/v4/users/42/personal_access_tokens')
    }

    It 'has sent nothing to GitLab by the time each record is asked about' {
        $run = Invoke-InScriptedHost -Script $RecordsScript -Answers $Yes, $No, $Yes, $Yes -ObserveUrl "$($Fake.Url)/__fake/requests"
        $run.Prompts.Count | Should -Be 4
        foreach ($prompt in $run.Prompts) {
            @($prompt.Observed | ConvertFrom-Json).Count | Should -Be 0 -Because "nothing is sent before '$($prompt.Message)' is answered"
        }
        $run.Output.Name | Should -Be @('Token 1', 'Token 3', 'Token 4')
        @(Get-FakeTokenPost $Fake).Count | Should -Be 3
    }

    It 'Yes to All confirms the remaining records without asking again' {
        $run = Invoke-InScriptedHost -Script $RecordsScript -Answers $No, $YesToAll
        $run.Prompts.Count | Should -Be 2
        $run.Output.Name | Should -Be @('Token 2', 'Token 3', 'Token 4')
        @(Get-FakeTokenPost $Fake).Count | Should -Be 3
    }

    It 'No to All declines the remaining records without asking again' {
        $run = Invoke-InScriptedHost -Script $RecordsScript -Answers $Yes, $NoToAll
        $run.Prompts.Count | Should -Be 2
        $run.Output.Name | Should -Be @('Token 1')
        @(Get-FakeTokenPost $Fake).Count | Should -Be 1
    }

    It 'asks nothing and creates nothing before every record was checked' {
        $script = @'
            @(
                [pscustomobject]@{ Username = 'jsmith'; Name = 'Fine' }
                [pscustomobject]@{ Username = 'not a user name!'; Name = 'Refused' }
                [pscustomobject]@{ Username = 'alice'; Name = 'Also fine' }
            ) | New-GitlabPersonalAccessToken -Scope api -Confirm
'@
        $run = Invoke-InScriptedHost -Script $script -Answers $Yes, $Yes
        $run.Prompts.Count | Should -Be 2
        $run.Prompts.Message | Should -Not -BeLike '*Refused*'
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        $run.Errors[0].TargetObject.Name | Should -Be 'Refused'
        $run.Output.Name | Should -Be @('Fine', 'Also fine')
    }

    It 'does not ask without -Confirm at the default $ConfirmPreference' {
        $run = Invoke-InScriptedHost -Script "New-GitlabPersonalAccessToken -Name 'Unasked' -Scope api"
        $run.Prompts.Count | Should -Be 0
        $run.Output.Name | Should -Be @('Unasked')
    }

    It 'asks when $ConfirmPreference is Medium' {
        $run = Invoke-InScriptedHost -Script "`$ConfirmPreference = 'Medium'; New-GitlabPersonalAccessToken -Name 'Asked' -Scope api" -Answers $No
        $run.Prompts.Count | Should -Be 1
        $run.Output | Should -BeNullOrEmpty
        @(Get-FakeTokenPost $Fake).Count | Should -Be 0
    }
}
