# bash completion for ct(1): commands, options, container names, signals, URIs and aliases.
# The candidates come from `ct __complete WORD...` (tools/ct/cmd_setup.cpp), so they follow
# the installed ct: its commands, its options and the containers of the URI in effect.
_ct() {
    local cur=${COMP_WORDS[COMP_CWORD]} words
    words=("${COMP_WORDS[@]:1:COMP_CWORD}")
    local IFS=$'\n' out
    out=$(ct __complete "${words[@]}" 2>/dev/null) || return
    case $out in
        __files__) compopt -o default 2>/dev/null; COMPREPLY=(); return ;;
        __dirs__) compopt -o dirnames 2>/dev/null; COMPREPLY=(); return ;;
    esac
    mapfile -t COMPREPLY < <(compgen -W "$out" -- "$cur")
}
complete -F _ct ct
