# bash completion for docket: commands, options, item keys, statuses, report names, formats and
# document aliases. The words come from the program itself, through its hidden helper
# `docket complete WHAT [ARG]`, which only reads the store and prints nothing when it has none.

# _docket_rejoin: sets _docket_words and _docket_cword from COMP_WORDS and COMP_CWORD with the
# words that bash split at ':' joined again (keys are written ALIAS:KEY).
_docket_rejoin()
{
    local i w n=-1 glue=0
    _docket_words=()
    _docket_cword=0
    for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        if ((n >= 0)) && [[ $w == : || $glue == 1 ]]; then
            _docket_words[n]+=$w
        else
            _docket_words[++n]=$w
        fi
        [[ $w == : ]] && glue=1 || glue=0
        ((i == COMP_CWORD)) && _docket_cword=$n
    done
}

# _docket_ask WHAT [ARG]: the helper's words, from the store the line names.
_docket_ask()
{
    "$_docket_bin" "${_docket_db[@]}" complete "$@" 2>/dev/null
}

_docket()
{
    local cur prev i cmd="" cmdi=0 nargs=0 first=""
    local -a _docket_words _docket_db=()
    local _docket_cword _docket_bin
    _docket_rejoin
    cur=${_docket_words[_docket_cword]}
    prev=${_docket_words[_docket_cword - 1]}
    _docket_bin=${_docket_words[0]}
    [[ $_docket_bin == */* && -x $_docket_bin ]] || _docket_bin=docket
    COMPREPLY=()

    # The global options before the command; -d/--db names the store for the helper.
    for ((i = 1; i < _docket_cword; i++)); do
        case ${_docket_words[i]} in
        -d | --db)
            ((i + 1 < _docket_cword)) && _docket_db=(-d "${_docket_words[i + 1]/#\~\//$HOME/}")
            ((i++))
            ;;
        --db=*) _docket_db=(-d "${_docket_words[i]#--db=}") ;;
        --by) ((i++)) ;;
        -*) ;;
        *)
            cmd=${_docket_words[i]}
            cmdi=$i
            break
            ;;
        esac
    done

    if [[ -z $cmd ]]; then
        case $prev in
        -d | --db)
            COMPREPLY=($(compgen -f -- "$cur"))
            return
            ;;
        --by) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_docket_ask options)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_docket_ask commands)" -- "$cur"))
        fi
        return
    fi

    # The value of an option.
    if [[ $prev == -* ]] && _docket_ask values "$cmd" | grep -qx -e "$prev"; then
        case $prev in
        --format) COMPREPLY=($(compgen -W "$(_docket_ask formats "$cmd")" -- "$cur")) ;;
        --doc) COMPREPLY=($(compgen -W "$(_docket_ask docs)" -- "$cur")) ;;
        --under | --parent | --key) COMPREPLY=($(compgen -W "$(_docket_ask keys)" -- "$cur")) ;;
        --goal) COMPREPLY=($(compgen -W "obtain keep" -- "$cur")) ;;
        --lang) COMPREPLY=($(compgen -W "en fr es" -- "$cur")) ;;
        --section) ;;
        --reports) COMPREPLY=($(compgen -d -- "$cur")) ;;
        -o | --output | --evidence | --cacert | --password-file | --webhook-file)
            COMPREPLY=($(compgen -f -- "$cur"))
            ;;
        esac
        _docket_colons "$cur"
        return
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_docket_ask options "$cmd")" -- "$cur"))
        return
    fi

    # The positional arguments typed so far (options and their values left out).
    local values
    values=$(_docket_ask values "$cmd")
    for ((i = cmdi + 1; i < _docket_cword; i++)); do
        case ${_docket_words[i]} in
        -*=*) ;;
        -*) grep -qx -e "${_docket_words[i]}" <<<"$values" && ((i++)) ;;
        *)
            ((nargs++ == 0)) && first=${_docket_words[i]}
            ;;
        esac
    done

    case $cmd in
    set)
        # KEY... STATUS: more keys, or a status of the first key.
        local words
        words=$(_docket_ask keys)
        [[ -n $first ]] && words+=$'\n'$(_docket_ask statuses "$first")
        COMPREPLY=($(compgen -W "$words" -- "$cur"))
        ;;
    show | note | edit | cost | log | add)
        ((nargs == 0)) && COMPREPLY=($(compgen -W "$(_docket_ask keys)" -- "$cur"))
        ;;
    report)
        ((nargs == 0)) && COMPREPLY=($(compgen -W "$(_docket_ask reports)" -- "$cur"))
        ;;
    import | draft | backup)
        ((nargs == 0)) && COMPREPLY=($(compgen -f -- "$cur"))
        ;;
    docs)
        if ((nargs == 0)); then
            COMPREPLY=($(compgen -W "alias" -- "$cur"))
        elif ((nargs == 1)); then
            COMPREPLY=($(compgen -W "$(_docket_ask docs)" -- "$cur"))
        fi
        ;;
    key) ((nargs == 0)) && COMPREPLY=($(compgen -W "new" -- "$cur")) ;;
    remote) ((nargs == 0)) && COMPREPLY=($(compgen -W "show set" -- "$cur")) ;;
    office)
        ((nargs == 0)) && COMPREPLY=($(compgen -W "show list admit revoke rekey rotate" -- "$cur"))
        ;;
    esac
    _docket_colons "$cur"
}

# _docket_colons CUR: when bash split the word at ':', each candidate keeps only what follows
# the last ':' of CUR (bash-completion's __ltrim_colon_completions, else the same by hand).
_docket_colons()
{
    [[ $1 == *:* && $COMP_WORDBREAKS == *:* ]] || return 0
    if declare -F __ltrim_colon_completions >/dev/null; then
        __ltrim_colon_completions "$1"
    else
        local prefix=${1%"${1##*:}"} i
        for i in "${!COMPREPLY[@]}"; do
            COMPREPLY[i]=${COMPREPLY[i]#"$prefix"}
        done
    fi
}

complete -F _docket docket
