# bash completion for ct(1): commands, options, container names, signals, URIs and aliases.
# The candidates come from `ct __complete WORD...` (tools/ct/cmd_setup.cpp), so they follow
# the installed ct: its commands, its options and the containers of the URI in effect.
_ct() {
    local cur words
    if [[ -n ${COMP_LINE-} ]]; then
        # The words as ct sees them: bash splits COMP_WORDS at ':' too (COMP_WORDBREAKS), and
        # a URI such as linux+ssh://host/ is one word.
        local line=${COMP_LINE:0:COMP_POINT}
        read -ra words <<<"$line"
        if [[ -z $line || $line == *[[:space:]] ]]; then words+=(""); fi
        cur=${words[-1]}
        words=("${words[@]:1}")
    else
        cur=${COMP_WORDS[COMP_CWORD]}
        words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    fi
    local IFS=$'\n' out
    out=$(ct __complete "${words[@]}" 2>/dev/null) || return
    case $out in
        __files__) compopt -o default 2>/dev/null; COMPREPLY=(); return ;;
        __dirs__) compopt -o dirnames 2>/dev/null; COMPREPLY=(); return ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$out" -- "$cur")
    # Bash replaces only its own current word, which begins after the last ':' of ours.
    if [[ $cur == *:* && ${COMP_WORDBREAKS-:} == *:* ]]; then
        local colon=${cur%"${cur##*:}"}
        COMPREPLY=("${COMPREPLY[@]#"$colon"}")
    fi
}
complete -F _ct ct
