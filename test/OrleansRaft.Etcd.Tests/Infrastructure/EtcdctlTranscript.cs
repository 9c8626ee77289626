using System.Text;
using System.Text.Json;

namespace OrleansRaft.Etcd.Tests.Infrastructure;

/// <summary>
/// Runs etcdctl commands one after the other against one endpoint and writes what a user sees of each: the command,
/// its standard output, its error lines, the gRPC status of each refusal it logged, and its exit code. Log lines carry
/// times and ids that differ between runs, so only their error (code and message) is kept.
/// </summary>
public static class EtcdctlTranscript
{
    public static async Task<string> RunAsync(string endpoint, IEnumerable<string> commands, params string[] globalArguments)
    {
        var transcript = new StringBuilder();
        foreach (var command in commands)
        {
            var run = await Etcdctl.RunUntilAsync(endpoint, string.Join(' ', [.. globalArguments, command]), null, null, Etcdctl.Bound);
            transcript.Append("$ etcdctl ").Append(command).Append('\n').Append(run.Output);
            foreach (var line in run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                transcript.Append(Describe(line)).Append('\n');
            }

            transcript.Append("[exit ").Append(run.ExitCode).Append("]\n");
        }

        return transcript.ToString();
    }

    private static string Describe(string line)
    {
        if (!line.StartsWith('{'))
        {
            return line;
        }

        using var json = JsonDocument.Parse(line);
        return json.RootElement.TryGetProperty("error", out var error) ? $"(log) {error.GetString()}" : "(log)";
    }
}
