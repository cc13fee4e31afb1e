# The committed protocol schema: equal to what the engine prints, and true of the real traffic
# between the module and the engine (every request the module sends, every message it reads).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-GitlabCliUnderTest
    $script:SchemaPath = Join-Path (Get-RepoRoot) 'module' 'GitlabCli' 'GitlabCli.Protocol.schema.json'
    $script:SchemaText = Get-Content -Raw -LiteralPath $SchemaPath
    $script:Schema = $SchemaText | ConvertFrom-Json -AsHashtable

    function script:Get-SelfReference([System.Collections.IDictionary] $Part) {
        # Definitions that are nothing but a reference to themselves: meaningless, and they send
        # Test-Json's evaluator into endless recursion (a stack overflow ends the whole process).
        $defs = $Part['$defs']
        if ($null -eq $defs) { return }
        foreach ($name in $defs.Keys) {
            if ($defs[$name] -is [System.Collections.IDictionary] -and $defs[$name]['$ref'] -eq "#/`$defs/$name") { $name }
        }
    }

    function script:ConvertTo-CheckableSchema([System.Collections.IDictionary] $Part) {
        # The part as a JSON schema for Test-Json, with self-referencing definitions (reported by
        # their own test) loosened to "any object" so that everything else can still be checked.
        $copy = $Part | ConvertTo-Json -Depth 100 | ConvertFrom-Json -AsHashtable
        foreach ($name in @(Get-SelfReference $copy)) {
            $copy['$defs'][$name] = @{ type = 'object' }
        }
        $copy | ConvertTo-Json -Depth 100
    }

    $script:RequestSchema = ConvertTo-CheckableSchema $Schema['request']
    $script:MessageSchema = ConvertTo-CheckableSchema $Schema['message']
    $script:Engine = Get-EnginePath

    function script:Invoke-RawEngine([string[]] $Lines) {
        # Feeds lines to `gitlabcli serve` and returns what it wrote, a line each.
        $input = Join-Path $TestDrive ('raw-' + [guid]::NewGuid().ToString('n') + '.jsonl')
        [System.IO.File]::WriteAllText($input, (($Lines -join "`n") + "`n"), [System.Text.UTF8Encoding]::new($false))
        $startInfo = [System.Diagnostics.ProcessStartInfo]::new($Engine)
        $startInfo.ArgumentList.Add('serve')
        $startInfo.RedirectStandardInput = $true
        $startInfo.RedirectStandardOutput = $true
        $startInfo.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($startInfo)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $process.StandardInput.BaseStream.Write([System.IO.File]::ReadAllBytes($input))
        $process.StandardInput.Close()
        $process.WaitForExit(30000) | Should -BeTrue
        @($stdout.Result -split "`n" | Where-Object { $_ })
    }
}

Describe 'The committed schema' {
    It 'is exactly what `gitlabcli schema` prints' {
        $printed = (& $Engine schema | Out-String)
        $LASTEXITCODE | Should -Be 0
        ($printed -replace "`r`n", "`n").TrimEnd() | Should -BeExactly (($SchemaText -replace "`r`n", "`n").TrimEnd())
    }

    It 'describes protocol version 1, requests, messages and scopes' {
        $Schema['protocol_version'] | Should -Be 1
        $Schema.Keys | Should -Contain 'request'
        $Schema.Keys | Should -Contain 'message'
        @($Schema['scope']['enum']).Count | Should -BeGreaterOrEqual 14
    }

    It 'defines every type it references (no definition is only a reference to itself)' {
        foreach ($part in 'request', 'message') {
            @(Get-SelfReference $Schema[$part]) | Should -BeNullOrEmpty -Because "the $part schema's `$defs must define them"
        }
    }

    It 'lists the scopes the engine says hello with (what -Scope completes)' {
        [GitlabCli.EngineFacts]::Scopes() | Should -Be ([string[]] $Schema['scope']['enum'])
    }

    It 'refuses what the protocol does not allow (so the checks below mean something)' {
        Test-Json -Json '{"v":1,"id":"1","type":"shout","message":"x"}' -Schema $MessageSchema -ErrorAction SilentlyContinue | Should -BeFalse
        Test-Json -Json '{"v":1,"id":"1","command":"create-personal-access-token","params":{"nme":"typo"}}' -Schema $RequestSchema -ErrorAction SilentlyContinue | Should -BeFalse
        Test-Json -Json '{"v":1,"id":"1","type":"warning","message":"x"}' -Schema $MessageSchema | Should -BeTrue
    }
}

Describe 'Real traffic between the module and the engine' -Skip:$IsWindows {
    BeforeAll {
        $script:Fake = Start-FakeGitlab
        Enter-TestEnvironment -Fake $Fake | Out-Null
        $script:Tee = New-TeeEngine -Directory $TestDrive -RealEngine $Engine
        Set-EngineOverride -Path $Tee.Path
        try {
            # A session that makes the engine say everything it can say.
            Set-TestConfig -Sites @(@{ Url = $Fake.Url; AccessToken = $Fake.AdminToken; IsDefault = $true })
            Invoke-Fake $Fake -Method POST -Path '/__fake/rate-limit' -Body @{ count = 1; retry_after = 1 } | Out-Null
            @(
                [pscustomobject]@{ Username = 'jsmith'; Name = 'Traffic 1' }
                [pscustomobject]@{ Username = 'no-such-user'; Name = 'Traffic 2' }
                [pscustomobject]@{ UserId = '43'; Name = 'x' * 300 }
            ) | New-GitlabPersonalAccessToken -Scope 'api', 'read_api' -ExpireInMonths 3 -ErrorAction SilentlyContinue -WarningAction SilentlyContinue | Out-Null
            # -WhatIf in the scripted host, whose What if lines stay off the console.
            $run = Invoke-InScriptedHost -Arguments @{ Engine = $Tee.Path; Url = $Fake.Url } -Script @'
                [GitlabCli.Engine]::PathOverride = $Arguments.Engine
                New-GitlabPersonalAccessToken -Name 'Traffic 3' -Scope 'k8s_proxy' -ExpiresAt (Get-Date).AddDays(9).ToString('yyyy-MM-dd') -SiteUrl $Arguments.Url -WhatIf
'@
            $run.Errors | Should -BeNullOrEmpty
            @($run.Lines | Where-Object { $_ -like 'What if:*' }).Count | Should -Be 1
            $line = 'New-GitlabPersonalAccessToken -SiteUrl '
            TabExpansion2 -inputScript $line -cursorColumn $line.Length | Out-Null
        } finally {
            Set-EngineOverride -Path $null
            Remove-TestConfig
        }
        $script:Traffic = @(Get-TeeTraffic $Tee)
        $script:Requests = @($Traffic.Requests)
        $script:Messages = @($Traffic.Messages)
    }

    AfterAll {
        Exit-TestEnvironment
        Stop-FakeGitlab $Fake
    }

    It 'every request the module sent is valid' {
        $Requests.Count | Should -BeGreaterOrEqual 6
        foreach ($line in $Requests) {
            Test-Json -Json $line -Schema $RequestSchema -ErrorAction SilentlyContinue | Should -BeTrue -Because $line
        }
        $modes = $Requests | ForEach-Object { ($_ | ConvertFrom-Json).mode } | Sort-Object -Unique
        $modes | Should -Be @('plan', 'run')
        @($Requests | Where-Object { ($_ | ConvertFrom-Json).command -eq 'list-sites' }).Count | Should -BeGreaterOrEqual 1
    }

    It 'every message the engine wrote is valid' {
        foreach ($line in $Messages) {
            Test-Json -Json $line -Schema $MessageSchema -ErrorAction SilentlyContinue | Should -BeTrue -Because ($line -replace 'glpat-\w+', 'glpat-…')
        }
    }

    It 'covered every message type' {
        $types = $Messages | ForEach-Object { ($_ | ConvertFrom-Json -AsHashtable)['type'] } | Sort-Object -Unique
        foreach ($type in 'hello', 'verbose', 'debug', 'warning', 'progress', 'plan', 'result', 'error') {
            $types | Should -Contain $type
        }
    }

    It 'came from one engine process per pipeline or completion' {
        # The three-record pipeline, the -WhatIf call, and the -SiteUrl completion.
        $Traffic.Count | Should -Be 3
    }

    It 'answered each request with exactly one terminal message carrying its id' {
        foreach ($process in $Traffic) {
            $parsed = @($process.Messages | ForEach-Object { $_ | ConvertFrom-Json -AsHashtable })
            foreach ($request in $process.Requests) {
                $id = ($request | ConvertFrom-Json -AsHashtable)['id']
                $terminal = @($parsed | Where-Object { $_['id'] -eq $id -and $_['type'] -in 'plan', 'result', 'error' })
                $terminal.Count | Should -Be 1 -Because "request $id"
            }
            @($parsed | Where-Object { $_['type'] -in 'plan', 'result', 'error' }).Count | Should -Be $process.Requests.Count
        }
    }
}

Describe 'Lines the module never sends' {
    It 'get valid protocol errors, and the engine keeps serving' {
        $messages = Invoke-RawEngine @(
            'this is not json'
            '{"v":2,"id":"2","command":"list-sites","params":{}}'
            '{"v":1,"id":"3","command":"no-such-command","params":{}}'
            '{"v":1,"id":"4","command":"list-sites","params":{}}'
        )
        $messages.Count | Should -Be 5
        foreach ($line in $messages) {
            Test-Json -Json $line -Schema $MessageSchema -ErrorAction SilentlyContinue | Should -BeTrue -Because $line
        }
        $parsed = @($messages | ForEach-Object { $_ | ConvertFrom-Json -AsHashtable })
        $parsed[0]['type'] | Should -Be 'hello'
        $parsed = $parsed[1..4]
        $parsed[0]['id'] | Should -BeNullOrEmpty
        $parsed[0..2] | ForEach-Object { $_['type'] | Should -Be 'error'; $_['error']['kind'] | Should -Be 'protocol' }
        $parsed[3]['type'] | Should -Be 'result'
        $parsed[3]['id'] | Should -Be '4'
    }
}

Describe 'The engine''s hello' {
    It 'is the first line, before any request is read, and states the engine''s facts' {
        $messages = @(Invoke-RawEngine @('{"v":1,"id":"1","command":"list-sites","params":{}}'))
        $messages.Count | Should -Be 2
        Test-Json -Json $messages[0] -Schema $MessageSchema | Should -BeTrue
        $hello = ($messages[0] | ConvertFrom-Json -AsHashtable)
        $hello['type'] | Should -Be 'hello'
        $hello['id'] | Should -BeNullOrEmpty
        $hello['hello']['protocol_version'] | Should -Be 1
        $hello['hello']['engine_version'] | Should -Match '^\d+\.\d+\.\d+'
        $hello['hello']['scopes'] | Should -Be ([string[]] $Schema['scope']['enum'])
        $hello['hello']['error_kinds'] | Should -Contain 'outcome-unknown'
        $hello['hello']['concurrency'] | Should -Be 8
    }

    It 'gives the module its run window: GITLABCLI_CONCURRENCY as the engine read it' {
        $env:GITLABCLI_CONCURRENCY = '3'
        try {
            $hello = (@(Invoke-RawEngine @('{"v":1,"id":"1","command":"list-sites","params":{}}'))[0] | ConvertFrom-Json -AsHashtable)
        } finally {
            Remove-Item Env:GITLABCLI_CONCURRENCY
        }
        $hello['hello']['concurrency'] | Should -Be 3
    }

    It 'of a protocol version the module does not speak is a terminating GitlabCli.EngineFailed naming both versions' -Skip:$IsWindows {
        $script = Join-Path $TestDrive 'future-engine'
        $hello = '{"v":2,"id":null,"type":"hello","hello":{"protocol_version":2,"engine_version":"9.0.0","scopes":["api"],"error_kinds":["protocol"],"concurrency":8}}'
        Set-Content -LiteralPath $script -Value "#!/bin/sh`necho '$hello'`nexec sleep 30"
        chmod +x $script
        Set-EngineOverride -Path $script
        try {
            $thrown = { New-GitlabPersonalAccessToken -Name 'x' -Scope 'api' } |
                Should -Throw -ErrorId 'GitlabCli.EngineFailed,GitlabCli.NewGitlabPersonalAccessTokenCommand' -PassThru
        } finally {
            Set-EngineOverride -Path $null
        }
        $thrown.Exception.Message | Should -BeLike '*protocol version 2*'
        $thrown.Exception.Message | Should -BeLike '*speaks protocol version 1*'
        $thrown.Exception.Message | Should -BeLike '*9.0.0*'
        (Get-OpenEngineCount) | Should -Be 0
    }
}
