# -CopyToClipboard on a real X display (CI runs Pester under xvfb-run), read back with xclip after
# the cmdlet returned and its engine exited; and, without a display, the token as output plus a
# warning, so it is never lost.

BeforeDiscovery {
    $script:HasXclip = $IsLinux -and [bool] (Get-Command xclip -CommandType Application -ErrorAction SilentlyContinue)
    $script:HasDisplay = [bool] $env:DISPLAY
    # On CI the display must be there: a skipped clipboard test would hide a broken setup.
    $script:SkipClipboard = (-not ($HasXclip -and $HasDisplay)) -and $env:CI -ne 'true'
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:Fake = Start-FakeGitlab
    $script:Display = $env:DISPLAY
    Enter-TestEnvironment -Fake $Fake | Out-Null
    $env:DISPLAY = $Display

    function script:Get-Clipboard {
        $text = & xclip -selection clipboard -o 2>$null
        if ($LASTEXITCODE -ne 0) { return $null }
        ($text -join "`n")
    }

    function script:Set-Clipboard([string] $Text) {
        # xclip stays behind to serve the selection; through sh with its output to /dev/null so
        # that it does not hold this process's pipes open.
        $Text | & sh -c 'xclip -selection clipboard -i >/dev/null 2>&1'
    }
}

AfterAll {
    Exit-TestEnvironment
    Stop-FakeGitlab $Fake
}

Describe '-CopyToClipboard with a display' -Skip:$SkipClipboard {
    BeforeEach {
        Reset-Fake $Fake
        Set-Clipboard 'clipboard-before-the-test'
    }

    It 'puts a rotated token on the clipboard and outputs nothing' {
        $seeded = @(Invoke-Fake $Fake -Method POST -Path '/__fake/tokens' -Body @{ username = 'jsmith'; name = 'Rotated' })
        $seeded.Count | Should -Be 1
        $all = @(Invoke-GitlabPersonalAccessTokenRotation -TokenId $seeded[0].id -CopyToClipboard -Confirm:$false 6>&1)

        $tokens = @(Get-FakeToken $Fake)
        $new = @($tokens | Where-Object { $_.previous_id -eq $seeded[0].id })
        $new.Count | Should -Be 1
        $new[0].token | Should -Not -Be $seeded[0].token
        Get-Clipboard | Should -BeExactly $new[0].token
        @($all | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }) | Should -BeNullOrEmpty
        $messages = @($all | ForEach-Object { "$($_.MessageData)" })
        $messages.Count | Should -Be 1
        $messages[0] | Should -BeLike "*rotated*'Rotated'*"
        $messages[0] | Should -Not -BeLike "*$($new[0].token)*"
    }

    It 'puts the token on the clipboard, outputs nothing, and confirms without showing the token' {
        $env:DISPLAY | Should -Not -BeNullOrEmpty -Because 'CI runs the tests under xvfb-run'
        $all = @(New-GitlabPersonalAccessToken -Name 'Clipped' -Scope 'api' -CopyToClipboard 6>&1)

        $issued = @(Get-FakeToken $Fake)
        $issued.Count | Should -Be 1
        $value = $issued[0].token
        # Read back after the cmdlet returned and its engine exited: the holder keeps it.
        (Get-OpenEngineCount) | Should -Be 0
        Get-Clipboard | Should -BeExactly $value

        @($all | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] }) | Should -BeNullOrEmpty
        $messages = @($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] } | ForEach-Object { "$($_.MessageData)" })
        $messages.Count | Should -Be 1
        $messages[0] | Should -BeLike "*'Clipped'*"
        $messages[0] | Should -BeLike "*id $($issued[0].id)*"
        $messages[0] | Should -Not -BeLike "*$value*"
    }

    It 'keeps the token out of a transcript of the run' {
        $transcript = Join-Path $TestDrive 'transcript.txt'
        # In the scripted host, so the run's host output lands in the transcript, not on the console.
        $run = Invoke-InScriptedHost -Arguments @{ Path = $transcript } -Script @'
            Start-Transcript -LiteralPath $Arguments.Path -UseMinimalHeader | Out-Null
            try {
                New-GitlabPersonalAccessToken -Name 'Transcribed' -Scope 'api' -CopyToClipboard -Verbose -Debug
            } finally {
                Stop-Transcript | Out-Null
            }
'@
        $run.Errors | Should -BeNullOrEmpty
        $value = @(Get-FakeToken $Fake)[0].token
        Get-Clipboard | Should -BeExactly $value
        $text = Get-Content -Raw -LiteralPath $transcript
        $text | Should -BeLike "*Copied the new personal access token 'Transcribed'*"
        $text | Should -BeLike '*POST*personal_access_tokens*'
        $text | Should -Not -BeLike "*$value*"
        $text | Should -Not -BeLike "*$($Fake.AdminToken)*"
    }

    It 'refuses several records, creates nothing and leaves the clipboard alone' {
        $records = @([pscustomobject]@{ Name = 'One' }, [pscustomobject]@{ Name = 'Two' })
        $output = $records | New-GitlabPersonalAccessToken -Scope 'api' -CopyToClipboard -ErrorVariable failures -ErrorAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -Be 'GitlabCli.InvalidArgument,GitlabCli.NewGitlabPersonalAccessTokenCommand'
        $failures[0].Exception.Message | Should -BeLike '*-CopyToClipboard*'
        $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*without -CopyToClipboard*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
        Get-Clipboard | Should -Be 'clipboard-before-the-test'
    }

    It 'says so in -WhatIf and sends nothing' {
        $run = Invoke-InScriptedHost -Script "New-GitlabPersonalAccessToken -Name 'Planned' -Scope api -CopyToClipboard -WhatIf"
        ($run.Lines | Where-Object { $_ -like 'What if:*' }) | Should -BeLike '*copy to clipboard*'
        @(Get-FakeRequest $Fake).Count | Should -Be 0
        Get-Clipboard | Should -Be 'clipboard-before-the-test'
    }
}

Describe '-CopyToClipboard without a display' -Skip:(-not $IsLinux) {
    BeforeEach { Reset-Fake $Fake }

    It 'outputs the token with a warning instead, so it is not lost' {
        $savedDisplay = $env:DISPLAY
        $savedWayland = $env:WAYLAND_DISPLAY
        Remove-Item Env:\DISPLAY, Env:\WAYLAND_DISPLAY -ErrorAction SilentlyContinue
        try {
            $all = @(New-GitlabPersonalAccessToken -Name 'Headless' -Scope 'api' -CopyToClipboard 3>&1 6>&1)
        } finally {
            $env:DISPLAY = $savedDisplay
            $env:WAYLAND_DISPLAY = $savedWayland
        }
        $value = @(Get-FakeToken $Fake)[0].token
        $tokens = @($all | Where-Object { $_.PSObject.TypeNames -contains 'Gitlab.NewPersonalAccessToken' })
        $warnings = @($all | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message)
        $tokens.Count | Should -Be 1
        $tokens[0].Token | Should -BeExactly $value
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -BeLike '*clipboard*'
        $warnings[0] | Should -Not -BeLike "*$value*"
        # No "copied" message when nothing was copied.
        @($all | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }) | Should -BeNullOrEmpty
    }
}
