# Where the engine lives: bin/<runtime id>/ in the module. build.ps1 dot-sources this file too, so
# the folder it stages the engine in is the folder the module looks in.

function Get-GitlabCliRuntimeId {
    # The .NET runtime identifier of this machine, which names the engine's folder under bin/.
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    $arch = switch ([System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture) {
        'X64' { 'x64' }
        'Arm64' { 'arm64' }
        default { "$_".ToLowerInvariant() }
    }
    "$os-$arch"
}
