# caro shell integration for zsh. Load it from ~/.zshrc (or $ZDOTDIR/.zshrc) with:
#     eval "$(caro init zsh)"
# Type a request, press __CARO_KEY_NAME__: the line becomes the command caro suggests, ready to edit and
# run with Enter (so it lands in your history the normal way). Nothing runs until you press Enter.
# Another key: CARO_KEY=ctrl-g (set before the eval line) or `caro init zsh --key ctrl-g`.

__caro_widget() {
    emulate -L zsh
    local request=$BUFFER
    [[ -z ${request//[[:space:]]/} ]] && return 0
    local err out rc
    err=$(command mktemp "${TMPDIR:-/tmp}/caro.XXXXXX") || return 0
    zle -R "caro: working on it..."
    out=$(NO_COLOR=1 command caro --shell zsh -- "$request" 2>|"$err" </dev/null)
    rc=$?
    if (( rc == 0 )) && [[ -n $out ]]; then
        BUFFER=$out
        CURSOR=${#BUFFER}
        zle -R
    elif [[ -s $err ]]; then
        # The request stays on the line; the reason is shown below it.
        zle -M "$(<$err)"
    else
        zle -M "caro: no command came back (exit status $rc)"
    fi
    command rm -f -- "$err"
    return 0
}
zle -N __caro_widget

# caro writes the commands it runs to this shell's history file (HISTFILE is seldom exported, so it is
# passed on here); afterwards the new lines are read into this shell's history too.
caro() {
    if [[ -n ${HISTFILE-} ]]; then
        CARO_HISTFILE=$HISTFILE command caro "$@"
    else
        command caro "$@"
    fi
    local rc=$?
    fc -RI 2>/dev/null
    return $rc
}

__CARO_BIND__
