# caro shell integration for fish (3.1 or newer). Load it from
# ${XDG_CONFIG_HOME:-~/.config}/fish/config.fish (or `caro init fish --install` writes conf.d/caro.fish):
#     caro init fish | source
# Type a request, press __CARO_KEY_NAME__: the line becomes the command caro suggests, ready to edit and
# run with Enter (so it lands in your history the normal way). Nothing runs until you press Enter.
# Another key: set -gx CARO_KEY ctrl-g (before the source line) or `caro init fish --key ctrl-g`.

function __caro_widget --description 'Replace the line with the command caro suggests for it'
    set -l request (commandline | string collect)
    if test -z (string trim -- "$request" | string collect)
        return 0
    end
    set -l err (command mktemp)
    or return 0
    printf '\r\033[K%s' 'caro: working on it...' >&2
    set -l out (env NO_COLOR=1 caro --shell fish -- "$request" 2>$err </dev/null | string collect)
    set -l rc $pipestatus[1]
    printf '\r\033[K' >&2
    if test "$rc" -eq 0; and test -n "$out"
        commandline -r -- $out
        commandline -C (string length -- $out)
    else if test -s $err
        # The request stays on the line; the reason is printed above it.
        command cat $err >&2
    else
        printf 'caro: no command came back (exit status %s)\n' $rc >&2
    end
    command rm -f -- $err
    commandline -f repaint
end

# caro writes the commands it runs to this shell's history file (the session name in fish_history is
# passed on); afterwards the new lines are merged into this shell's history too.
function caro --wraps caro --description 'caro, then merge the history file'
    set -lx CARO_FISH_HISTORY fish
    set -q fish_history; and set CARO_FISH_HISTORY "$fish_history"
    command caro $argv
    set -l rc $status
    history merge 2>/dev/null
    return $rc
end

__CARO_BIND__
