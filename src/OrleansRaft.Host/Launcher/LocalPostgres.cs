using System.Diagnostics;

namespace OrleansRaft.Host.Launcher;

/// <summary>
/// The launcher's throwaway PostgreSQL: <c>infra/postgres/local.sh</c> on the folder <c>{data-dir}/postgres</c>.
/// The script prints the connection string as its last line; it is handed to the silos and never printed.
/// </summary>
internal sealed class LocalPostgres(string script, string folder, string logPath)
{
    public string Folder => folder;

    /// <summary>The script beside the program (copied there by the build), else the one of the repository above it.</summary>
    public static string? FindScript()
    {
        var relative = Path.Combine("infra", "postgres", "local.sh");
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Starts the server (or finds it running) and returns its connection string.</summary>
    public async Task<string> StartAsync()
    {
        var (code, output) = await RunAsync("start");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (code != 0 || lines.Length == 0)
        {
            throw new InvalidOperationException($"PostgreSQL did not start (local.sh exited with {code}); see {logPath}.");
        }

        return lines[^1];
    }

    public async Task<bool> StopAsync() => (await RunAsync("stop")).Code == 0;

    private async Task<(int Code, string Output)> RunAsync(string command)
    {
        // setsid: the server must not share the terminal's process group, or a Ctrl-C would reach it before the
        // silos have stopped. setsid execs in place here, as a child of this process is never a group leader.
        var info = new ProcessStartInfo("setsid")
        {
            ArgumentList = { "bash", script, command, folder },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("setsid could not be started.");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        await using (var log = new StreamWriter(logPath, append: true))
        {
            await log.WriteLineAsync($"== local.sh {command} at {DateTimeOffset.Now:O}");
            await log.WriteAsync(await process.StandardError.ReadToEndAsync());
        }

        await process.WaitForExitAsync();
        return (process.ExitCode, await output);
    }
}
