# Help completeness for every exported command, in the manner of Pester's own Help.Tests.ps1,
# plus the spec's examples and notes for New-GitlabPersonalAccessToken.

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:ExportedCommands = @((Get-Module GitlabCli).ExportedCommands.Values | ForEach-Object { @{ CommandName = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
}

Describe '<CommandName> help' -ForEach $ExportedCommands {
    BeforeAll {
        $script:Help = Get-Help $CommandName -Full
        $script:Command = Get-Command $CommandName
        $script:CommonNames = [System.Management.Automation.PSCmdlet]::CommonParameters
    }

    It 'has a synopsis of its own (not the generated syntax)' {
        $Help.Synopsis | Should -Not -BeNullOrEmpty
        # Without comment-based help, PowerShell makes the synopsis from the syntax: "[-Name] <string>".
        $Help.Synopsis | Should -Not -Match '\[-\w+\]|<CommonParameters>'
        $Help.Synopsis.Trim() | Should -Not -Be $CommandName
    }

    It 'has a description' {
        ($Help.Description.Text -join "`n").Trim().Length | Should -BeGreaterThan 40
    }

    It 'has at least one example, each with code and remarks' {
        @($Help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        foreach ($example in $Help.Examples.Example) {
            $example.Code | Should -Not -BeNullOrEmpty
            ($example.Remarks.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter' {
        $documented = @($Help.Parameters.Parameter)
        foreach ($name in $Command.Parameters.Keys | Where-Object { $_ -notin $CommonNames }) {
            $entry = $documented | Where-Object Name -EQ $name
            $entry | Should -Not -BeNullOrEmpty -Because "parameter $name must be in the help"
            ($entry.Description.Text -join '').Trim().Length | Should -BeGreaterThan 10 -Because "parameter $name needs a description"
        }
    }

    It 'documents no parameter the command does not have' {
        foreach ($entry in @($Help.Parameters.Parameter)) {
            $Command.Parameters.Keys | Should -Contain $entry.Name
        }
    }

    It 'has notes and related links' {
        ($Help.alertSet.alert.Text -join '').Trim() | Should -Not -BeNullOrEmpty
        @($Help.relatedLinks.navigationLink).Count | Should -BeGreaterOrEqual 1
    }
}

Describe 'New-GitlabPersonalAccessToken help' {
    BeforeAll {
        $script:Help = Get-Help New-GitlabPersonalAccessToken -Full
        $script:Text = $Help | Out-String -Width 200
    }

    It 'shows the spec example <_>' -ForEach @(
        "New-GitlabPersonalAccessToken -Name 'CI Token' -Scope 'api' -ExpireInMonths 6"
        "New-GitlabPersonalAccessToken -Name 'Read Only' -Scope 'read_api', 'read_repository' -ExpiresAt '2025-12-31' -CopyToClipboard"
        "New-GitlabPersonalAccessToken -UserId 'jsmith' -Name 'Service Token' -Scope 'api'"
    ) {
        @($Help.Examples.Example.Code) | Should -Contain $_
    }

    It 'says in its notes that the token is shown once, how pipelines behave, and the non-admin rule' {
        $notes = $Help.alertSet.alert.Text -join "`n"
        $notes | Should -Match 'once'
        $notes | Should -Match 'pipe|Piped'
        $notes | Should -Match 'Non-administrators'
    }

    It 'names the output type and the piped input' {
        ($Help.returnValues.returnValue.type.name -join ' ') | Should -Match 'Gitlab\.NewPersonalAccessToken'
        ($Help.inputTypes.inputType.type.name -join ' ') | Should -Not -BeNullOrEmpty
    }

    It 'shows every parameter and example in Get-Help -Full text' {
        foreach ($name in 'UserId', 'Name', 'Scope', 'ExpiresAt', 'ExpireInMonths', 'SiteUrl', 'CopyToClipboard', 'WhatIf', 'Confirm') {
            $Text | Should -Match "-$name\b"
        }
        $Text | Should -Match 'EXAMPLE 3'
        $Text | Should -Match 'Required\?\s+true'
        $Text | Should -Match 'Accept pipeline input\?\s+True \(ByPropertyName\)'
    }

    It 'links the GitLab API documentation' {
        @($Help.relatedLinks.navigationLink.uri) | Should -Contain 'https://docs.gitlab.com/ee/api/users.html#create-a-personal-access-token'
    }
}
