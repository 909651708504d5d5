# caro shell integration for PowerShell 7 with PSReadLine. Add this line to your profile ($PROFILE):
#     Invoke-Expression (& caro init powershell | Out-String)
# Type a request, press __CARO_KEY_NAME__: the line becomes the command caro suggests, ready to edit and
# run with Enter. Nothing runs until you press Enter.
# Another key: $env:CARO_KEY = 'ctrl-g' (before the profile line) or `caro init powershell --key ctrl-g`.

function global:__CaroWidget {
    $line = $null
    $cursor = $null
    [Microsoft.PowerShell.PSConsoleReadLine]::GetBufferState([ref]$line, [ref]$cursor)
    if ([string]::IsNullOrWhiteSpace($line)) { return }
    $esc = [char]27
    $errFile = [System.IO.Path]::GetTempFileName()
    $oldNoColor = $env:NO_COLOR
    $env:NO_COLOR = '1'
    [Console]::Write("`r$esc[Kcaro: working on it...")
    try {
        $out = (& caro --shell powershell -- $line 2>$errFile | Out-String).TrimEnd()
        $rc = $LASTEXITCODE
    } finally {
        $env:NO_COLOR = $oldNoColor
    }
    [Console]::Write("`r$esc[K")
    if ($rc -eq 0 -and $out) {
        [Microsoft.PowerShell.PSConsoleReadLine]::Replace(0, $line.Length, $out)
    } else {
        $reason = (Get-Content -Raw -ErrorAction SilentlyContinue $errFile)
        if (-not $reason) { $reason = "caro: no command came back (exit status $rc)" }
        [Console]::WriteLine()
        [Console]::Write($reason)
        [Microsoft.PowerShell.PSConsoleReadLine]::InvokePrompt()
    }
    Remove-Item $errFile -ErrorAction SilentlyContinue
}

if (Get-Module -Name PSReadLine) {
    __CARO_BIND__
}
