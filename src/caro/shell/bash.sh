# caro shell integration for bash (4.0 or newer). Load it from ~/.bashrc with:
#     eval "$(caro init bash)"
# Type a request, press __CARO_KEY_NAME__: the line becomes the command caro suggests, ready to edit and
# run with Enter (so it lands in your history the normal way). Nothing runs until you press Enter.
# Another key: CARO_KEY=ctrl-g (set before the eval line) or `caro init bash --key ctrl-g`.

__caro_widget() {
    local request=$READLINE_LINE
    [[ -z ${request//[[:space:]]/} ]] && return 0
    local err out rc
    err=$(command mktemp "${TMPDIR:-/tmp}/caro.XXXXXX") || return 0
    # Readline redraws the prompt and line after this function returns.
    printf '\r\033[K%s' 'caro: working on it...' >&2
    out=$(NO_COLOR=1 command caro --shell bash -- "$request" 2>|"$err" </dev/null)
    rc=$?
    printf '\r\033[K' >&2
    if [[ $rc -eq 0 && -n $out ]]; then
        READLINE_LINE=$out
        READLINE_POINT=${#READLINE_LINE}
    elif [[ -s $err ]]; then
        # The request stays on the line; the reason is printed above it.
        command cat -- "$err" >&2
    else
        printf 'caro: no command came back (exit status %s)\n' "$rc" >&2
    fi
    command rm -f -- "$err"
}

# caro writes the commands it runs to this shell's history file (HISTFILE is seldom exported, so it is
# passed on here); afterwards the new lines are read into this shell's history too.
caro() {
    if [[ -n ${HISTFILE-} ]]; then
        CARO_HISTFILE=$HISTFILE command caro "$@"
    else
        command caro "$@"
    fi
    local rc=$?
    history -n 2>/dev/null
    return $rc
}

if [[ ${BASH_VERSINFO[0]:-0} -ge 4 ]]; then
    __CARO_BIND__
fi
