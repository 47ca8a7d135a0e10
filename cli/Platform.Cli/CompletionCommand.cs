using System.CommandLine;

namespace Platform.Cli;

/// <summary>
/// <c>completion bash|zsh|pwsh</c>: prints a script that asks the tool itself for completions through
/// System.CommandLine's <c>[suggest]</c> directive (what dotnet-suggest does, without installing it).
/// </summary>
internal static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or pwsh." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "pwsh");
        var command = new Command("completion", "Prints a shell completion script: eval \"$(platform completion bash)\" in ~/.bashrc.") { shell };
        command.SetAction(parsed =>
        {
            parsed.InvocationConfiguration.Output.Write(parsed.GetValue(shell) switch
            {
                "bash" => """
                    _platform_complete() {
                        local IFS=$'\n'
                        COMPREPLY=( $(platform "[suggest:${#COMP_LINE}]" "$COMP_LINE" 2>/dev/null) )
                    }
                    complete -o default -F _platform_complete platform

                    """,
                "zsh" => """
                    _platform_complete() {
                        local -a completions
                        completions=("${(@f)$(platform "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)}")
                        compadd -a completions
                    }
                    compdef _platform_complete platform

                    """,
                _ => """
                    Register-ArgumentCompleter -Native -CommandName platform -ScriptBlock {
                        param($wordToComplete, $commandAst, $cursorPosition)
                        platform "[suggest:$cursorPosition]" "$commandAst" | ForEach-Object {
                            [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                        }
                    }

                    """,
            });
            return 0;
        });
        return command;
    }
}
