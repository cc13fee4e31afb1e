# The project's help build step: reads the cmdlet pages under docs/help (the PlatyPS page format,
# schema 2024-05-01: YAML front matter, fixed sections, one YAML block per parameter), checks them,
# and writes the MAML file Get-Help reads for the module (en-US/GitlabCli.dll-Help.xml). PlatyPS is
# not available here, so this is a small reader of exactly that format, not a markdown library:
# anything it does not understand is an error naming the page and the line.
#
# Read-HelpPage    one page -> an object (front matter, sections, parameters, examples, ...)
# Test-HelpPage    the problems of a page (missing synopsis, description, example, parameter text,
#                  metadata, ...), as strings; none means the page is complete
# ConvertTo-Maml   pages -> the MAML document (a string)
# Export-MamlHelp  every page of a folder -> the MAML file; refuses a page with problems
# Export-AboutHelp an about_ page -> the plain-text about_*.help.txt Get-Help reads

Set-StrictMode -Version 3.0
# Every function of this module stops at the first error, whatever the caller's preference.
$ErrorActionPreference = 'Stop'

$script:SchemaVersion = '2024-05-01'
$script:FrontMatterKeys = @('document type', 'external help file', 'Module Name', 'title', 'PlatyPS schema version', 'Locale')
$script:Sections = @('SYNOPSIS', 'SYNTAX', 'ALIASES', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS')
$script:ParameterKeys = @('Type', 'DefaultValue', 'SupportsWildcards', 'Aliases', 'ParameterSets', 'DontShow', 'AcceptedValues', 'HelpMessage')
$script:ParameterSetKeys = @('Name', 'Position', 'IsRequired', 'ValueFromPipeline', 'ValueFromPipelineByPropertyName', 'ValueFromRemainingArguments')
$script:AllSets = '(All)'
$script:Ns = @{
    Msh     = 'http://msh'
    Maml    = 'http://schemas.microsoft.com/maml/2004/10'
    Command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    Dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
    MSHelp  = 'http://msdn.microsoft.com/mshelp'
}

class HelpPageException : System.Exception {
    HelpPageException([string] $Message) : base($Message) {}
}

function New-PageError([string] $Path, [int] $Line, [string] $Message) {
    $where = if ($Line -gt 0) { "${Path}:$Line" } else { $Path }
    [HelpPageException]::new("${where}: $Message")
}

# ---------------------------------------------------------------------------------------------
# YAML: the subset the page format uses (front matter and parameter blocks).
#   Key: scalar | 'quoted' | "quoted" | [] | [a, b]
#   Key:            followed by "- scalar" items or "- Key: value" maps with indented keys
# ---------------------------------------------------------------------------------------------

function ConvertFrom-YamlScalar([string] $Text, [string] $Path, [int] $Line) {
    $t = $Text.Trim()
    if ($t.Length -ge 2 -and $t[0] -eq "'" -and $t[-1] -eq "'") {
        return $t.Substring(1, $t.Length - 2).Replace("''", "'")
    }
    if ($t.Length -ge 2 -and $t[0] -eq '"' -and $t[-1] -eq '"') {
        return [regex]::Unescape($t.Substring(1, $t.Length - 2))
    }
    if ($t -eq '[]') {
        return , @()
    }
    if ($t.StartsWith('[') -and $t.EndsWith(']')) {
        $items = @($t.Substring(1, $t.Length - 2) -split ',' | ForEach-Object { ConvertFrom-YamlScalar $_ $Path $Line })
        return , $items
    }
    if ($t -match "^['""]" -or $t -match '^[{&*!|>%@`]') {
        throw (New-PageError $Path $Line "YAML value '$t' is not one this reader understands; quote it with single quotes.")
    }
    $t
}

function ConvertFrom-HelpYaml {
    # Lines of YAML -> an ordered dictionary. $FirstLine: the line number of $Lines[0] in the page.
    param([string[]] $Lines, [string] $Path, [int] $FirstLine)
    $result = [ordered]@{}
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = $Lines[$i]
        $number = $FirstLine + $i
        if ($line.Trim() -eq '' -or $line.TrimStart().StartsWith('#')) { $i++; continue }
        if ($line -notmatch '^([A-Za-z][\w .-]*?):(?:\s+(.*))?$') {
            throw (New-PageError $Path $number "expected 'Key: value' in YAML, found '$line'.")
        }
        $key = $Matches[1]
        $value = if ($Matches.ContainsKey(2)) { $Matches[2] } else { $null }
        if ($result.Contains($key)) {
            throw (New-PageError $Path $number "YAML key '$key' appears twice.")
        }
        $i++
        if ($null -ne $value -and $value.Trim() -ne '') {
            $result[$key] = ConvertFrom-YamlScalar $value $Path $number
            continue
        }
        # A block list: "- scalar" or "- Key: value" with "  Key: value" continuation lines.
        $items = [System.Collections.Generic.List[object]]::new()
        while ($i -lt $Lines.Count -and $Lines[$i] -match '^(\s*)- (.*)$') {
            $indent = $Matches[1].Length
            $first = $Matches[2]
            $itemNumber = $FirstLine + $i
            $i++
            if ($first -notmatch '^([A-Za-z][\w .-]*?):(?:\s+(.*))?$') {
                $items.Add((ConvertFrom-YamlScalar $first $Path $itemNumber))
                continue
            }
            $map = [ordered]@{}
            $map[$Matches[1]] = if ($Matches.ContainsKey(2)) { ConvertFrom-YamlScalar $Matches[2] $Path $itemNumber } else { '' }
            $childIndent = ' ' * ($indent + 2)
            while ($i -lt $Lines.Count -and $Lines[$i].StartsWith($childIndent) -and $Lines[$i].Substring($childIndent.Length) -match '^([A-Za-z][\w .-]*?):(?:\s+(.*))?$') {
                $childKey = $Matches[1]
                if ($map.Contains($childKey)) {
                    throw (New-PageError $Path ($FirstLine + $i) "YAML key '$childKey' appears twice in one item.")
                }
                $map[$childKey] = if ($Matches.ContainsKey(2)) { ConvertFrom-YamlScalar $Matches[2] $Path ($FirstLine + $i) } else { '' }
                $i++
            }
            $items.Add($map)
        }
        $result[$key] = $items.ToArray()
    }
    $result
}

# ---------------------------------------------------------------------------------------------
# Markdown: headings, fenced code blocks and paragraphs.
# ---------------------------------------------------------------------------------------------

function Split-HelpBlock {
    # Lines -> blocks: @{ Kind = 'text'|'code'; Lines; Info (fence info string); Line (number) }.
    param([string[]] $Lines, [int] $FirstLine, [string] $Path)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $i = 0
    while ($i -lt $Lines.Count) {
        $line = $Lines[$i]
        if ($line -match '^(```+|~~~+)\s*([\w-]*)\s*$') {
            $fence = $Matches[1]
            $info = $Matches[2]
            $start = $i
            $i++
            $code = [System.Collections.Generic.List[string]]::new()
            while ($i -lt $Lines.Count -and $Lines[$i].TrimEnd() -ne $fence) {
                $code.Add($Lines[$i])
                $i++
            }
            if ($i -ge $Lines.Count) {
                throw (New-PageError $Path ($FirstLine + $start) "code block opened here is never closed ($fence).")
            }
            $i++
            $blocks.Add([pscustomobject]@{ Kind = 'code'; Info = $info; Lines = $code.ToArray(); Line = $FirstLine + $start })
            continue
        }
        if ($line.Trim() -eq '') { $i++; continue }
        $start = $i
        $text = [System.Collections.Generic.List[string]]::new()
        while ($i -lt $Lines.Count -and $Lines[$i].Trim() -ne '' -and $Lines[$i] -notmatch '^(```+|~~~+)') {
            $text.Add($Lines[$i])
            $i++
        }
        $blocks.Add([pscustomobject]@{ Kind = 'text'; Info = ''; Lines = $text.ToArray(); Line = $FirstLine + $start })
    }
    $blocks.ToArray()
}

function ConvertFrom-InlineMarkdown([string] $Text) {
    # Inline markdown -> the plain text Get-Help prints: links as "text (url)" (a link to another
    # page as its text alone), code spans and emphasis without their marks.
    $t = [regex]::Replace($Text, '\[([^\]]+)\]\(([^)\s]+)\)', {
            param($m)
            $label = $m.Groups[1].Value
            $target = $m.Groups[2].Value
            if ($target -match '^[a-z]+://') { "$label ($target)" } else { $label }
        })
    $t = [regex]::Replace($t, '(`+)(.+?)\1', '$2')
    $t = [regex]::Replace($t, '(\*\*|__)(?=\S)(.+?)(?<=\S)\1', '$2')
    $t
}

function ConvertTo-Paragraph {
    # Blocks -> paragraphs of plain text. Hard-wrapped lines join with a space; each list item is a
    # paragraph of its own (with its marker); a code block keeps its lines.
    param([object[]] $Blocks)
    $paras = [System.Collections.Generic.List[string]]::new()
    foreach ($block in $Blocks) {
        if ($block.Kind -eq 'code') {
            $paras.Add(($block.Lines -join "`n"))
            continue
        }
        $current = $null
        foreach ($line in $block.Lines) {
            if ($line -match '^\s*([-*+]|\d+\.)\s+(.*)$') {
                if ($null -ne $current) { $paras.Add((ConvertFrom-InlineMarkdown $current)) }
                $current = "$($Matches[1]) $($Matches[2])"
            } elseif ($null -eq $current) {
                $current = $line.Trim()
            } else {
                $current = "$current $($line.Trim())"
            }
        }
        if ($null -ne $current) { $paras.Add((ConvertFrom-InlineMarkdown $current)) }
    }
    $paras.ToArray()
}

function Get-HelpSection {
    # Lines -> sections at one heading level: @{ Title; Line; Lines (body); FirstLine (of body) }.
    param([string[]] $Lines, [int] $FirstLine, [int] $Level)
    $marker = '#' * $Level
    $sections = [System.Collections.Generic.List[object]]::new()
    $intro = [System.Collections.Generic.List[string]]::new()
    $current = $null
    $inFence = $null
    for ($i = 0; $i -lt $Lines.Count; $i++) {
        $line = $Lines[$i]
        if ($null -ne $inFence) {
            if ($line.TrimEnd() -eq $inFence) { $inFence = $null }
        } elseif ($line -match '^(```+|~~~+)') {
            $inFence = $Matches[1]
        } elseif ($line -match "^$marker\s+(.+?)\s*$" -and $line -notmatch "^$marker#") {
            $current = [pscustomobject]@{ Title = $Matches[1]; Line = $FirstLine + $i; FirstLine = $FirstLine + $i + 1; Lines = [System.Collections.Generic.List[string]]::new() }
            $sections.Add($current)
            continue
        }
        if ($null -eq $current) { $intro.Add($line) } else { $current.Lines.Add($line) }
    }
    [pscustomobject]@{ Intro = $intro.ToArray(); Sections = $sections.ToArray() }
}

# ---------------------------------------------------------------------------------------------
# Reading a page
# ---------------------------------------------------------------------------------------------

function Read-HelpPage {
    <#
    .SYNOPSIS
    Reads one cmdlet page (PlatyPS format, schema 2024-05-01) into an object.
    .DESCRIPTION
    Throws (naming the file and line) when the page's structure cannot be read: no front matter,
    an unclosed code block, YAML this reader does not understand. Missing content is not an error
    here; Test-HelpPage lists it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline, ValueFromPipelineByPropertyName)] [Alias('FullName')] [string] $Path)
    process {
        $fullPath = [System.IO.Path]::GetFullPath($Path)
        $lines = [System.IO.File]::ReadAllLines($fullPath)
        if ($lines.Count -eq 0 -or $lines[0].Trim() -ne '---') {
            throw (New-PageError $fullPath 1 "a page starts with YAML front matter between '---' lines.")
        }
        $end = -1
        for ($i = 1; $i -lt $lines.Count; $i++) {
            if ($lines[$i].Trim() -eq '---') { $end = $i; break }
        }
        if ($end -lt 0) {
            throw (New-PageError $fullPath 1 "the front matter opened here is never closed with '---'.")
        }
        $frontMatter = ConvertFrom-HelpYaml -Lines $lines[1..($end - 1)] -Path $fullPath -FirstLine 2
        $bodyFirst = $end + 2
        $body = if ($end + 1 -lt $lines.Count) { $lines[($end + 1)..($lines.Count - 1)] } else { @() }

        $top = Get-HelpSection -Lines $body -FirstLine $bodyFirst -Level 1
        $heading = $null
        $h2Lines = @()
        $h2First = $bodyFirst
        if ($top.Sections.Count -ge 1) {
            $heading = $top.Sections[0].Title
            $h2Lines = $top.Sections[0].Lines.ToArray()
            $h2First = $top.Sections[0].FirstLine
        }
        $level2 = Get-HelpSection -Lines $h2Lines -FirstLine $h2First -Level 2
        $sections = [ordered]@{}
        foreach ($section in $level2.Sections) {
            if ($sections.Contains($section.Title)) {
                throw (New-PageError $fullPath $section.Line "section '## $($section.Title)' appears twice.")
            }
            $sections[$section.Title] = $section
        }

        $page = [pscustomobject]@{
            Path          = $fullPath
            FrontMatter   = $frontMatter
            Title         = $heading
            SectionOrder  = @($level2.Sections | ForEach-Object Title)
            Synopsis      = @()
            Syntax        = @()
            Aliases       = @()
            Description   = @()
            Examples      = @()
            Parameters    = @()
            HasCommonParameters = $false
            Inputs        = @()
            Outputs       = @()
            Notes         = @()
            RelatedLinks  = @()
        }

        function Get-Blocks($Section) {
            @(Split-HelpBlock -Lines $Section.Lines.ToArray() -FirstLine $Section.FirstLine -Path $fullPath)
        }

        if ($sections.Contains('SYNOPSIS')) {
            $page.Synopsis = @(ConvertTo-Paragraph @(Get-Blocks $sections['SYNOPSIS']))
        }
        if ($sections.Contains('DESCRIPTION')) {
            $page.Description = @(ConvertTo-Paragraph @(Get-Blocks $sections['DESCRIPTION']))
        }
        if ($sections.Contains('ALIASES')) {
            $page.Aliases = @(ConvertTo-Paragraph @(Get-Blocks $sections['ALIASES']))
        }
        if ($sections.Contains('NOTES')) {
            $page.Notes = @(ConvertTo-Paragraph @(Get-Blocks $sections['NOTES']))
        }
        if ($sections.Contains('SYNTAX')) {
            $s = $sections['SYNTAX']
            $page.Syntax = @(foreach ($set in (Get-HelpSection -Lines $s.Lines.ToArray() -FirstLine $s.FirstLine -Level 3).Sections) {
                    $code = @(Split-HelpBlock -Lines $set.Lines.ToArray() -FirstLine $set.FirstLine -Path $fullPath | Where-Object Kind -EQ 'code')
                    $name = $set.Title -replace '\s+\(Default\)$', ''
                    [pscustomobject]@{
                        Name      = $name
                        IsDefault = $set.Title -match '\(Default\)$'
                        Text      = if ($code.Count -ge 1) { $code[0].Lines -join "`n" } else { '' }
                        Line      = $set.Line
                    }
                })
        }
        if ($sections.Contains('EXAMPLES')) {
            $s = $sections['EXAMPLES']
            $page.Examples = @(foreach ($example in (Get-HelpSection -Lines $s.Lines.ToArray() -FirstLine $s.FirstLine -Level 3).Sections) {
                    $blocks = @(Split-HelpBlock -Lines $example.Lines.ToArray() -FirstLine $example.FirstLine -Path $fullPath)
                    # Code blocks in a row are the example's code; text before or after them, its
                    # remarks. (MAML's introduction is the prompt Get-Help prints on the code's line.)
                    $remarks = [System.Collections.Generic.List[object]]::new()
                    $code = [System.Collections.Generic.List[string]]::new()
                    $codeDone = $false
                    foreach ($block in $blocks) {
                        if ($block.Kind -eq 'code' -and -not $codeDone) { $code.Add(($block.Lines -join "`n")) }
                        else {
                            if ($code.Count -gt 0) { $codeDone = $true }
                            $remarks.Add($block)
                        }
                    }
                    [pscustomobject]@{
                        Title        = $example.Title
                        Code         = $code -join "`n`n"
                        Remarks      = @(ConvertTo-Paragraph $remarks.ToArray())
                        Line         = $example.Line
                    }
                })
        }
        if ($sections.Contains('PARAMETERS')) {
            $s = $sections['PARAMETERS']
            $parameters = [System.Collections.Generic.List[object]]::new()
            foreach ($p in (Get-HelpSection -Lines $s.Lines.ToArray() -FirstLine $s.FirstLine -Level 3).Sections) {
                if ($p.Title -eq 'CommonParameters') {
                    $page.HasCommonParameters = $true
                    continue
                }
                if ($p.Title -notmatch '^-(\w+)$') {
                    throw (New-PageError $fullPath $p.Line "a parameter heading is '### -Name' (or '### CommonParameters'), found '### $($p.Title)'.")
                }
                $name = $Matches[1]
                $blocks = @(Split-HelpBlock -Lines $p.Lines.ToArray() -FirstLine $p.FirstLine -Path $fullPath)
                $yaml = @($blocks | Where-Object { $_.Kind -eq 'code' -and $_.Info -eq 'yaml' })
                $text = @($blocks | Where-Object { -not ($_.Kind -eq 'code' -and $_.Info -eq 'yaml') })
                $meta = if ($yaml.Count -ge 1) { ConvertFrom-HelpYaml -Lines $yaml[0].Lines -Path $fullPath -FirstLine ($yaml[0].Line + 1) } else { $null }
                $parameters.Add([pscustomobject]@{
                        Name        = $name
                        Description = @(ConvertTo-Paragraph $text)
                        Metadata    = $meta
                        YamlCount   = $yaml.Count
                        Line        = $p.Line
                    })
            }
            $page.Parameters = $parameters.ToArray()
        }
        foreach ($kind in 'INPUTS', 'OUTPUTS') {
            if (-not $sections.Contains($kind)) { continue }
            $s = $sections[$kind]
            $values = @(foreach ($type in (Get-HelpSection -Lines $s.Lines.ToArray() -FirstLine $s.FirstLine -Level 3).Sections) {
                    [pscustomobject]@{
                        Type        = $type.Title
                        Description = @(ConvertTo-Paragraph @(Split-HelpBlock -Lines $type.Lines.ToArray() -FirstLine $type.FirstLine -Path $fullPath))
                        Line        = $type.Line
                    }
                })
            if ($kind -eq 'INPUTS') { $page.Inputs = $values } else { $page.Outputs = $values }
        }
        if ($sections.Contains('RELATED LINKS')) {
            $s = $sections['RELATED LINKS']
            $links = [System.Collections.Generic.List[object]]::new()
            for ($i = 0; $i -lt $s.Lines.Count; $i++) {
                $line = $s.Lines[$i].Trim()
                if ($line -eq '') { continue }
                if ($line -notmatch '^[-*]\s+\[([^\]]+)\]\(([^)\s]*)\)\s*$') {
                    throw (New-PageError $fullPath ($s.FirstLine + $i) "a related link is '- [text](uri)', found '$line'.")
                }
                $uri = $Matches[2]
                # A link to another page names a command: Get-Help shows the name alone.
                $links.Add([pscustomobject]@{ Text = $Matches[1]; Uri = if ($uri -match '^[a-z]+://') { $uri } else { '' } })
            }
            $page.RelatedLinks = $links.ToArray()
        }
        $page
    }
}

# ---------------------------------------------------------------------------------------------
# Checking a page
# ---------------------------------------------------------------------------------------------

function Test-HasText([string[]] $Paragraphs) {
    (($Paragraphs -join '').Trim()).Length -gt 0
}

function Get-SyntaxParameterName([string] $Text) {
    # The parameter names a SYNTAX block mentions, in order.
    @([regex]::Matches($Text, '(?<![\w-])-(\w+)') | ForEach-Object { $_.Groups[1].Value })
}

function Test-HelpPage {
    <#
    .SYNOPSIS
    Lists what a page lacks or gets wrong; nothing when it is complete.
    .DESCRIPTION
    Takes a page from Read-HelpPage (or a path). Each problem is a string naming the page and what
    to fix: a missing section, synopsis, description, example (with code and remarks), parameter
    text or YAML metadata, a SYNTAX block that disagrees with the parameters' sets.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory, ValueFromPipeline)] [object] $Page)
    process {
        if ($Page -is [string] -or $Page -is [System.IO.FileInfo]) {
            $Page = Read-HelpPage -Path ([string] $Page)
        }
        $problems = [System.Collections.Generic.List[string]]::new()
        $file = [System.IO.Path]::GetFileNameWithoutExtension($Page.Path)
        function Add-Problem([string] $Text) { $problems.Add("$($Page.Path): $Text") }

        foreach ($key in $script:FrontMatterKeys) {
            if (-not $Page.FrontMatter.Contains($key) -or [string]::IsNullOrWhiteSpace([string] $Page.FrontMatter[$key])) {
                Add-Problem "the front matter lacks '${key}:'."
            }
        }
        if ($Page.FrontMatter.Contains('PlatyPS schema version') -and [string] $Page.FrontMatter['PlatyPS schema version'] -ne $script:SchemaVersion) {
            Add-Problem "'PlatyPS schema version' is '$($Page.FrontMatter['PlatyPS schema version'])'; this reader knows $script:SchemaVersion."
        }
        if ($Page.FrontMatter.Contains('document type') -and [string] $Page.FrontMatter['document type'] -ne 'cmdlet') {
            Add-Problem "'document type' is '$($Page.FrontMatter['document type'])'; a cmdlet page says 'cmdlet'."
        }
        if ($Page.FrontMatter.Contains('title') -and [string] $Page.FrontMatter['title'] -ne $file) {
            Add-Problem "the front matter's title '$($Page.FrontMatter['title'])' is not the file's name '$file'."
        }
        if ($Page.Title -ne $file) {
            Add-Problem "the page's heading '# $($Page.Title)' is not the file's name '$file'."
        }
        $missing = @($script:Sections | Where-Object { $_ -notin $Page.SectionOrder })
        foreach ($name in $missing) { Add-Problem "the section '## $name' is missing." }
        $known = @($Page.SectionOrder | Where-Object { $_ -in $script:Sections })
        $expected = @($script:Sections | Where-Object { $_ -in $Page.SectionOrder })
        if (($known -join '|') -ne ($expected -join '|')) {
            Add-Problem "the sections are in the order $($known -join ', '); the format's order is $($expected -join ', ')."
        }
        foreach ($name in @($Page.SectionOrder | Where-Object { $_ -notin $script:Sections })) {
            Add-Problem "'## $name' is not a section of the page format ($($script:Sections -join ', '))."
        }

        if (-not (Test-HasText $Page.Synopsis)) { Add-Problem 'the SYNOPSIS is empty: say in one sentence what the cmdlet does.' }
        if (-not (Test-HasText $Page.Description)) { Add-Problem 'the DESCRIPTION is empty.' }
        if ($Page.Examples.Count -eq 0) { Add-Problem "there is no example: add '### Example 1: ...' with a code block and a sentence under it." }
        foreach ($example in $Page.Examples) {
            if ([string]::IsNullOrWhiteSpace($example.Code)) { Add-Problem "the example '$($example.Title)' has no code block." }
            if (-not (Test-HasText $example.Remarks)) { Add-Problem "the example '$($example.Title)' does not say what it does (no text after its code)." }
        }
        if ($Page.SectionOrder -contains 'PARAMETERS' -and -not $Page.HasCommonParameters) {
            Add-Problem "the PARAMETERS section lacks '### CommonParameters'."
        }
        $names = @{}
        foreach ($parameter in $Page.Parameters) {
            $label = "-$($parameter.Name)"
            if ($names.ContainsKey($parameter.Name)) { Add-Problem "the parameter $label is documented twice." }
            $names[$parameter.Name] = $true
            if (-not (Test-HasText $parameter.Description)) { Add-Problem "the parameter $label has no text: say what it does." }
            if ($parameter.YamlCount -ne 1) {
                Add-Problem "the parameter $label needs exactly one yaml block (found $($parameter.YamlCount))."
                continue
            }
            $meta = $parameter.Metadata
            foreach ($key in $script:ParameterKeys) {
                if (-not $meta.Contains($key)) { Add-Problem "the parameter $label lacks '${key}:' in its yaml block." }
            }
            foreach ($key in @($meta.Keys | Where-Object { $_ -notin $script:ParameterKeys })) {
                Add-Problem "the parameter $label has an unknown key '${key}:' (known: $($script:ParameterKeys -join ', '))."
            }
            if ($meta.Contains('Type') -and [string]::IsNullOrWhiteSpace([string] $meta['Type'])) { Add-Problem "the parameter $label has no Type." }
            foreach ($key in 'SupportsWildcards', 'DontShow') {
                if ($meta.Contains($key) -and [string] $meta[$key] -notin 'true', 'false') { Add-Problem "the parameter ${label}'s $key is '$($meta[$key])', not true or false." }
            }
            if ($meta.Contains('ParameterSets')) {
                $sets = @($meta['ParameterSets'])
                if ($sets.Count -eq 0) { Add-Problem "the parameter $label belongs to no parameter set." }
                foreach ($set in $sets) {
                    if ($set -isnot [System.Collections.IDictionary]) { Add-Problem "the parameter ${label}'s ParameterSets entry '$set' is not a map."; continue }
                    foreach ($key in $script:ParameterSetKeys) {
                        if (-not $set.Contains($key)) { Add-Problem "the parameter ${label}'s set '$($set['Name'])' lacks '${key}:'." }
                    }
                    foreach ($key in 'IsRequired', 'ValueFromPipeline', 'ValueFromPipelineByPropertyName', 'ValueFromRemainingArguments') {
                        if ($set.Contains($key) -and [string] $set[$key] -notin 'true', 'false') { Add-Problem "the parameter ${label}'s set '$($set['Name'])' has $key '$($set[$key])', not true or false." }
                    }
                    if ($set.Contains('Position') -and [string] $set['Position'] -notmatch '^(Named|\d+)$') {
                        Add-Problem "the parameter ${label}'s set '$($set['Name'])' has Position '$($set['Position'])', not Named or a number."
                    }
                }
            }
        }

        # SYNTAX: one block per parameter set, naming exactly the parameters of that set.
        if ($Page.SectionOrder -contains 'SYNTAX' -and $Page.Syntax.Count -eq 0) { Add-Problem "the SYNTAX section has no '### <parameter set>' with a code block." }
        $setNames = @($Page.Syntax | ForEach-Object Name)
        foreach ($syntax in $Page.Syntax) {
            if ([string]::IsNullOrWhiteSpace($syntax.Text)) { Add-Problem "the SYNTAX of set '$($syntax.Name)' has no code block."; continue }
            if (-not $syntax.Text.TrimStart().StartsWith("$file ")) { Add-Problem "the SYNTAX of set '$($syntax.Name)' does not start with the command's name." }
            $inBlock = @(Get-SyntaxParameterName $syntax.Text | Sort-Object -Unique)
            $inSet = @($Page.Parameters | Where-Object { $null -ne $_.Metadata -and $_.Metadata.Contains('ParameterSets') } | Where-Object {
                    $sets = @($_.Metadata['ParameterSets'] | Where-Object { $_ -is [System.Collections.IDictionary] } | ForEach-Object { [string] $_['Name'] })
                    ($sets -contains $syntax.Name) -or ($sets -contains $script:AllSets)
                } | ForEach-Object Name | Sort-Object -Unique)
            foreach ($name in @($inBlock | Where-Object { $_ -notin $inSet })) { Add-Problem "the SYNTAX of set '$($syntax.Name)' names -$name, which the PARAMETERS do not put in that set." }
            foreach ($name in @($inSet | Where-Object { $_ -notin $inBlock })) { Add-Problem "the parameter -$name belongs to set '$($syntax.Name)' but its SYNTAX block does not name it." }
        }
        foreach ($parameter in $Page.Parameters) {
            if ($null -eq $parameter.Metadata -or -not $parameter.Metadata.Contains('ParameterSets')) { continue }
            foreach ($set in @($parameter.Metadata['ParameterSets'] | Where-Object { $_ -is [System.Collections.IDictionary] })) {
                if ([string] $set['Name'] -ne $script:AllSets -and [string] $set['Name'] -notin $setNames) {
                    Add-Problem "the parameter -$($parameter.Name) names the set '$($set['Name'])', which SYNTAX does not have."
                }
            }
        }
        if (@($Page.Syntax | Where-Object IsDefault).Count -gt 1) { Add-Problem 'more than one SYNTAX set is marked (Default).' }

        if ($Page.SectionOrder -contains 'OUTPUTS' -and $Page.Outputs.Count -eq 0) { Add-Problem "the OUTPUTS section names no type ('### TypeName')." }
        if ($Page.SectionOrder -contains 'INPUTS' -and $Page.Inputs.Count -eq 0) { Add-Problem "the INPUTS section names no type ('### TypeName', or '### None')." }
        foreach ($value in @($Page.Inputs) + @($Page.Outputs)) {
            if (-not (Test-HasText $value.Description)) { Add-Problem "the input/output type '$($value.Type)' has no text." }
        }
        if (-not (Test-HasText $Page.Notes)) { Add-Problem 'the NOTES section is empty.' }
        if ($Page.RelatedLinks.Count -eq 0) { Add-Problem 'the RELATED LINKS section has no link.' }
        $problems.ToArray()
    }
}

# ---------------------------------------------------------------------------------------------
# MAML
# ---------------------------------------------------------------------------------------------

function Get-ParameterSet($Parameter) {
    @($Parameter.Metadata['ParameterSets'])
}

function Get-PipelineInput([object[]] $Sets) {
    $byValue = @($Sets | Where-Object { [string] $_['ValueFromPipeline'] -eq 'true' }).Count -gt 0
    $byName = @($Sets | Where-Object { [string] $_['ValueFromPipelineByPropertyName'] -eq 'true' }).Count -gt 0
    if ($byValue -and $byName) { 'True (ByValue, ByPropertyName)' }
    elseif ($byValue) { 'True (ByValue)' }
    elseif ($byName) { 'True (ByPropertyName)' }
    else { 'False' }
}

function Get-MamlPosition([string] $Position) {
    if ($Position -eq 'Named') { 'named' } else { $Position }
}

function Write-Para([System.Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    foreach ($para in $Paragraphs) {
        $Writer.WriteElementString('maml', 'para', $script:Ns.Maml, $para)
    }
}

function Write-Description([System.Xml.XmlWriter] $Writer, [string] $Prefix, [string] $Namespace, [string] $Name, [string[]] $Paragraphs) {
    $Writer.WriteStartElement($Prefix, $Name, $Namespace)
    Write-Para $Writer $Paragraphs
    $Writer.WriteEndElement()
}

function Get-SyntaxValueName([string] $SyntaxText, [string] $Name) {
    # The value's name as the SYNTAX block writes it ("-Name <string>" -> "string"); switches: $null.
    $m = [regex]::Match($SyntaxText, "(?<![\w-])-$([regex]::Escape($Name))\]?\s+<([^>]+)>")
    if ($m.Success) { $m.Groups[1].Value } else { $null }
}

function Write-MamlParameter {
    param([System.Xml.XmlWriter] $Writer, $Parameter, [hashtable] $Set, [string] $ValueName, [switch] $InSyntax)
    $meta = $Parameter.Metadata
    $type = [string] $meta['Type']
    $isSwitch = $type -eq 'System.Management.Automation.SwitchParameter'
    $sets = @(Get-ParameterSet $Parameter)
    $aliases = @($meta['Aliases'])
    $Writer.WriteStartElement('command', 'parameter', $script:Ns.Command)
    if ($InSyntax) {
        $required = [string] $Set['IsRequired']
        $position = Get-MamlPosition ([string] $Set['Position'])
        $pipeline = Get-PipelineInput @($Set)
    } else {
        # One entry for all sets, as PlatyPS writes it: required in any set, the first set's position.
        $required = if (@($sets | Where-Object { [string] $_['IsRequired'] -eq 'true' }).Count -gt 0) { 'true' } else { 'false' }
        $position = Get-MamlPosition ([string] $sets[0]['Position'])
        $pipeline = Get-PipelineInput $sets
    }
    $Writer.WriteAttributeString('required', $required)
    $Writer.WriteAttributeString('variableLength', $(if ($type.EndsWith('[]')) { 'true' } else { 'false' }))
    $Writer.WriteAttributeString('globbing', [string] $meta['SupportsWildcards'])
    $Writer.WriteAttributeString('pipelineInput', $pipeline)
    $Writer.WriteAttributeString('position', $position)
    $Writer.WriteAttributeString('aliases', $(if ($aliases.Count -gt 0) { $aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $script:Ns.Maml, $Parameter.Name)
    Write-Description $Writer 'maml' $script:Ns.Maml 'description' $Parameter.Description
    $accepted = @($meta['AcceptedValues'])
    if ($accepted.Count -gt 0) {
        $Writer.WriteStartElement('command', 'parameterValueGroup', $script:Ns.Command)
        foreach ($value in $accepted) {
            $Writer.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
            $Writer.WriteAttributeString('required', 'false')
            $Writer.WriteAttributeString('variableLength', 'false')
            $Writer.WriteString([string] $value)
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }
    if (-not $isSwitch) {
        $Writer.WriteStartElement('command', 'parameterValue', $script:Ns.Command)
        $Writer.WriteAttributeString('required', 'true')
        $Writer.WriteAttributeString('variableLength', $(if ($type.EndsWith('[]')) { 'true' } else { 'false' }))
        $Writer.WriteString($(if ($InSyntax -and $ValueName) { $ValueName } else { $type }))
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $script:Ns.Dev)
    $Writer.WriteElementString('maml', 'name', $script:Ns.Maml, $type)
    $Writer.WriteElementString('maml', 'uri', $script:Ns.Maml, '')
    $Writer.WriteEndElement()
    $default = [string] $meta['DefaultValue']
    $Writer.WriteElementString('dev', 'defaultValue', $script:Ns.Dev, $(if ([string]::IsNullOrWhiteSpace($default)) { 'None' } else { $default }))
    $Writer.WriteEndElement()
}

function Write-MamlCommand([System.Xml.XmlWriter] $Writer, $Page) {
    $name = $Page.Title
    $Writer.WriteStartElement('command', 'command', $script:Ns.Command)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $script:Ns.Maml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $script:Ns.Command)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $script:Ns.Dev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $script:Ns.MSHelp)

    $Writer.WriteStartElement('command', 'details', $script:Ns.Command)
    $Writer.WriteElementString('command', 'name', $script:Ns.Command, $name)
    $verb, $noun = if ($name -match '^([^-]+)-(.+)$') { $Matches[1], $Matches[2] } else { $name, '' }
    $Writer.WriteElementString('command', 'verb', $script:Ns.Command, $verb)
    $Writer.WriteElementString('command', 'noun', $script:Ns.Command, $noun)
    Write-Description $Writer 'maml' $script:Ns.Maml 'description' @($Page.Synopsis -join ' ')
    $Writer.WriteEndElement()

    Write-Description $Writer 'maml' $script:Ns.Maml 'description' $Page.Description

    $byName = @{}
    foreach ($parameter in $Page.Parameters) { $byName[$parameter.Name] = $parameter }
    $Writer.WriteStartElement('command', 'syntax', $script:Ns.Command)
    foreach ($syntax in $Page.Syntax) {
        $Writer.WriteStartElement('command', 'syntaxItem', $script:Ns.Command)
        $Writer.WriteElementString('maml', 'name', $script:Ns.Maml, $name)
        # In the block's order, each with its metadata in this set.
        foreach ($parameterName in @(Get-SyntaxParameterName $syntax.Text | Select-Object -Unique)) {
            $parameter = $byName[$parameterName]
            $set = @(Get-ParameterSet $parameter | Where-Object { [string] $_['Name'] -eq $syntax.Name })
            if ($set.Count -eq 0) { $set = @(Get-ParameterSet $parameter | Where-Object { [string] $_['Name'] -eq $script:AllSets }) }
            $setTable = @{}
            foreach ($key in $set[0].Keys) { $setTable[$key] = $set[0][$key] }
            Write-MamlParameter -Writer $Writer -Parameter $parameter -Set $setTable -ValueName (Get-SyntaxValueName $syntax.Text $parameterName) -InSyntax
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'parameters', $script:Ns.Command)
    foreach ($parameter in $Page.Parameters) {
        Write-MamlParameter -Writer $Writer -Parameter $parameter
    }
    $Writer.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Page.Inputs), @('returnValues', 'returnValue', $Page.Outputs))) {
        $Writer.WriteStartElement('command', $kind[0], $script:Ns.Command)
        foreach ($value in $kind[2]) {
            $Writer.WriteStartElement('command', $kind[1], $script:Ns.Command)
            $Writer.WriteStartElement('dev', 'type', $script:Ns.Dev)
            $Writer.WriteElementString('maml', 'name', $script:Ns.Maml, $value.Type)
            $Writer.WriteEndElement()
            Write-Description $Writer 'maml' $script:Ns.Maml 'description' $value.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $script:Ns.Maml)
    $Writer.WriteStartElement('maml', 'alert', $script:Ns.Maml)
    Write-Para $Writer $Page.Notes
    $Writer.WriteEndElement()
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $script:Ns.Command)
    foreach ($example in $Page.Examples) {
        $Writer.WriteStartElement('command', 'example', $script:Ns.Command)
        $Writer.WriteElementString('maml', 'title', $script:Ns.Maml, "--------- $($example.Title) ---------")
        $Writer.WriteElementString('dev', 'code', $script:Ns.Dev, $example.Code)
        Write-Description $Writer 'dev' $script:Ns.Dev 'remarks' $example.Remarks
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $script:Ns.Command)
    $links = @($Page.RelatedLinks)
    $online = [string] $(if ($Page.FrontMatter.Contains('HelpUri')) { $Page.FrontMatter['HelpUri'] } else { '' })
    if ($online) {
        # First, as PlatyPS does: Get-Help -Online opens it.
        $links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = $online }) + $links
    }
    foreach ($link in $links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $script:Ns.Maml)
        $Writer.WriteElementString('maml', 'linkText', $script:Ns.Maml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $script:Ns.Maml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement()
}

function ConvertTo-Maml {
    <#
    .SYNOPSIS
    Turns pages (from Read-HelpPage) into one MAML document, as a string.
    .DESCRIPTION
    The elements and attributes PowerShell's help system reads, in PlatyPS's layout: per command
    its details (name, verb, noun, synopsis), description, one syntax item per parameter set,
    parameters (required, position, pipelineInput, globbing, aliases, type, default), input and
    return types, notes (alertSet), examples and related links (the HelpUri first). The output is
    the same for the same pages: commands sorted by name, "\n" line ends.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [object[]] $Page)
    $settings = [System.Xml.XmlWriterSettings]::new()
    $settings.Indent = $true
    $settings.IndentChars = '  '
    $settings.NewLineChars = "`n"
    $settings.Encoding = [System.Text.UTF8Encoding]::new($false)
    $settings.OmitXmlDeclaration = $true
    $builder = [System.Text.StringBuilder]::new()
    [void] $builder.Append("<?xml version=`"1.0`" encoding=`"utf-8`"?>`n")
    $writer = [System.Xml.XmlWriter]::Create($builder, $settings)
    try {
        $writer.WriteStartElement('helpItems', $script:Ns.Msh)
        $writer.WriteAttributeString('schema', 'maml')
        foreach ($p in @(Sort-Ordinal $Page { param($x) $x.Title })) {
            Write-MamlCommand $writer $p
        }
        $writer.WriteEndElement()
    } finally {
        $writer.Dispose()
    }
    $builder.ToString() + "`n"
}

function Sort-Ordinal([object[]] $Items, [scriptblock] $Key) {
    # The same order on every machine and in every culture.
    $keys = [string[]] @($Items | ForEach-Object { & $Key $_ })
    $array = [object[]] @($Items)
    # The casts pick Sort(keys, items, comparer); without them PowerShell sorts the keys alone.
    [System.Array]::Sort([array] $keys, [array] $array, [System.Collections.IComparer] [System.StringComparer]::Ordinal)
    $array
}

function Get-HelpPagePath([string] $Path) {
    # The cmdlet pages of a folder (about_ topics are not cmdlet pages).
    $files = @([System.IO.Directory]::GetFiles($Path, '*.md') | Where-Object { -not ([System.IO.Path]::GetFileName($_)).StartsWith('about_') })
    if ($files.Count -eq 0) { return }
    Sort-Ordinal $files { param($x) $x }
}

function Export-MamlHelp {
    <#
    .SYNOPSIS
    Checks every cmdlet page of a folder and writes them as one MAML file.
    .DESCRIPTION
    Refuses to write anything when a page has problems (Test-HelpPage): the error lists them all.
    Writes the file only when its content changed. Returns the file's path.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Destination
    )
    $files = @(Get-HelpPagePath ([System.IO.Path]::GetFullPath($Path)))
    if ($files.Count -eq 0) {
        throw [HelpPageException]::new("No help page (*.md) in '$Path'.")
    }
    $pages = @($files | ForEach-Object { Read-HelpPage -Path $_ })
    $problems = @($pages | ForEach-Object { Test-HelpPage -Page $_ })
    if ($problems.Count -gt 0) {
        throw [HelpPageException]::new("The help pages are incomplete ($($problems.Count) problems):`n  " + ($problems -join "`n  "))
    }
    $xml = ConvertTo-Maml -Page $pages
    $target = [System.IO.Path]::GetFullPath($Destination)
    [void] [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($target))
    if (-not [System.IO.File]::Exists($target) -or [System.IO.File]::ReadAllText($target) -ne $xml) {
        [System.IO.File]::WriteAllText($target, $xml, [System.Text.UTF8Encoding]::new($false))
    }
    $target
}

# ---------------------------------------------------------------------------------------------
# about_ topics: markdown -> the plain text of about_*.help.txt
# ---------------------------------------------------------------------------------------------

function Format-Wrapped([string] $Text, [int] $Indent, [int] $Hanging = $Indent, [int] $Width = 80) {
    # Words -> lines of at most $Width columns (a longer word keeps its own line).
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = ' ' * $Indent
    $empty = $true
    foreach ($word in ($Text -split '\s+' | Where-Object { $_ })) {
        if (-not $empty -and $line.Length + 1 + $word.Length -gt $Width) {
            $lines.Add($line)
            $line = ' ' * $Hanging
            $empty = $true
        }
        $line = if ($empty) { $line + $word } else { "$line $word" }
        $empty = $false
    }
    if (-not $empty) { $lines.Add($line) }
    $lines.ToArray()
}

function ConvertTo-AboutText {
    <#
    .SYNOPSIS
    Turns an about_ page into the text of its about_*.help.txt.
    .DESCRIPTION
    TOPIC, then each "## Section" in capitals with its text wrapped at 80 columns and indented
    four spaces ("### Heading" lines stay as they are, list items hang, code is indented eight).
    Throws, naming the page, when the front matter, the title or the short or long description is
    missing.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Path)
    $fullPath = [System.IO.Path]::GetFullPath($Path)
    $lines = [System.IO.File]::ReadAllLines($fullPath)
    $name = [System.IO.Path]::GetFileNameWithoutExtension($fullPath)
    $end = if ($lines.Count -gt 0 -and $lines[0].Trim() -eq '---') { [array]::IndexOf($lines, '---', 1) } else { -1 }
    if ($end -lt 0) { throw (New-PageError $fullPath 1 "an about page starts with YAML front matter between '---' lines.") }
    $frontMatter = ConvertFrom-HelpYaml -Lines $lines[1..($end - 1)] -Path $fullPath -FirstLine 2
    if ([string] $frontMatter['title'] -ne $name -or -not $name.StartsWith('about_')) {
        throw (New-PageError $fullPath 0 "the front matter's title '$($frontMatter['title'])' must be the file's name, which starts with about_.")
    }
    $body = if ($end + 1 -lt $lines.Count) { $lines[($end + 1)..($lines.Count - 1)] } else { @() }
    $top = Get-HelpSection -Lines $body -FirstLine ($end + 2) -Level 1
    if ($top.Sections.Count -ne 1 -or $top.Sections[0].Title -ne $name) {
        throw (New-PageError $fullPath 0 "an about page has one heading '# $name'.")
    }
    $sections = (Get-HelpSection -Lines $top.Sections[0].Lines.ToArray() -FirstLine $top.Sections[0].FirstLine -Level 2).Sections
    $out = [System.Collections.Generic.List[string]]::new()
    $out.Add('TOPIC')
    $out.Add("    $name")
    foreach ($required in 'Short description', 'Long description') {
        $section = @($sections | Where-Object Title -EQ $required)
        if ($section.Count -eq 0 -or @($section[0].Lines | Where-Object { $_.Trim() }).Count -eq 0) {
            throw (New-PageError $fullPath 0 "the section '## $required' is missing or empty.")
        }
    }
    foreach ($section in $sections) {
        $out.Add('')
        $out.Add($section.Title.ToUpperInvariant())
        $first = $true
        foreach ($block in @(Split-HelpBlock -Lines $section.Lines.ToArray() -FirstLine $section.FirstLine -Path $fullPath)) {
            if ($block.Kind -eq 'text' -and $block.Lines.Count -eq 1 -and $block.Lines[0] -match '^###\s+(.+?)\s*$') {
                if (-not $first) { $out.Add('') }
                $out.Add("    $($Matches[1])")
                $first = $false
                continue
            }
            if ($block.Kind -eq 'code') {
                if (-not $first) { $out.Add('') }
                foreach ($line in $block.Lines) { $out.Add($(if ($line.Trim()) { "        $line" } else { '' })) }
                $first = $false
                continue
            }
            foreach ($para in @(ConvertTo-Paragraph @($block))) {
                if (-not $first -and $para -notmatch '^([-*+]|\d+\.) ') { $out.Add('') }
                $hanging = if ($para -match '^([-*+]|\d+\.) ') { 4 + $Matches[0].Length } else { 4 }
                $out.AddRange([string[]] @(Format-Wrapped $para 4 $hanging))
                $first = $false
            }
        }
    }
    ($out -join "`n") + "`n"
}

function Export-AboutHelp {
    <#
    .SYNOPSIS
    Writes every about_*.md of a folder as about_*.help.txt into a destination folder.
    .DESCRIPTION
    Writes a file only when its content changed. Returns the paths written or kept.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Destination
    )
    $target = [System.IO.Path]::GetFullPath($Destination)
    foreach ($page in @([System.IO.Directory]::GetFiles([System.IO.Path]::GetFullPath($Path), 'about_*.md'))) {
        $text = ConvertTo-AboutText -Path $page
        [void] [System.IO.Directory]::CreateDirectory($target)
        $file = [System.IO.Path]::Combine($target, [System.IO.Path]::GetFileNameWithoutExtension($page) + '.help.txt')
        if (-not [System.IO.File]::Exists($file) -or [System.IO.File]::ReadAllText($file) -ne $text) {
            [System.IO.File]::WriteAllText($file, $text, [System.Text.UTF8Encoding]::new($false))
        }
        $file
    }
}

Export-ModuleMember -Function Read-HelpPage, Test-HelpPage, ConvertTo-Maml, Export-MamlHelp, Get-HelpPagePath, ConvertTo-AboutText, Export-AboutHelp
