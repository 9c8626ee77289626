using System.CommandLine;
using OrleansRaft.Abstractions;
using OrleansRaft.Cli.Transport;
using OrleansRaft.Client;

namespace OrleansRaft.Cli;

/// <summary>What a command's body gets: the parsed line, where to print, and the connected cluster.</summary>
internal sealed record CommandContext(ParseResult Parse, CliOutput Output, ClusterConnection Connection)
{
    public ConnectionSettings Settings => Connection.Settings;
}

/// <summary>A command's body against the key-value group, with its <see cref="KvClient"/>.</summary>
internal sealed record KvContext(ParseResult Parse, CliOutput Output, ClusterConnection Connection, KvClient Kv);

/// <summary>
/// A command's body through the etcd gateways (see <see cref="Transports"/>): its exit code, or null when the gateways
/// gave no plain answer and the command must run through the Orleans client. It prints nothing before it has the whole
/// answer, so that the Orleans path starts from a clean slate.
/// </summary>
internal sealed record EtcdContext(ParseResult Parse, CliOutput Output, ConnectionSettings Settings, EtcdKv Kv);

/// <summary>
/// Runs a command's body: resolves the connection settings, connects, and turns every failure into one message on
/// standard error and an exit code (see <see cref="ExitCodes"/>).
/// </summary>
internal static class CommandRunner
{
    public static void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, cancellationToken) => RunAsync(parse, body, cancellationToken));

    /// <summary>
    /// A key-value command; with <paramref name="etcdBody"/>, one that may be served by the etcd gateways first (see
    /// <see cref="Transports"/>).
    /// </summary>
    public static void SetKvAction(Command command, Func<KvContext, CancellationToken, Task<int>> body, Func<EtcdContext, CancellationToken, Task<int?>>? etcdBody = null) =>
        command.SetAction((parse, token) => RunAsync(parse, async (context, cancellationToken) =>
        {
            var group = context.Settings.Group;
            KvClient kv;
            try
            {
                kv = await KvClient.ConnectAsync(context.Connection.Client, group, context.Connection.KvOptions).WaitAsync(context.Settings.Timeout, cancellationToken);
            }
            catch (RaftGroupNotFoundException)
            {
                throw new CliException(ExitCodes.Failed, await GroupNotFoundAsync(context, group));
            }
            catch (TimeoutException)
            {
                throw new CliException(ExitCodes.Failed, $"The cluster did not say within {Durations.Show(context.Settings.Timeout)} which members group '{group}' has.");
            }

            Timings.Mark("group members known");
            await using (kv)
            {
                return await body(new KvContext(context.Parse, context.Output, context.Connection, kv), cancellationToken);
            }
        }, token, etcdBody));

    private const int SuggestedGroups = 20;

    public static Task WriteErrorAsync(string message) => Console.Error.WriteLineAsync("Error: " + message);

    private static async Task<int> RunAsync(ParseResult parse, Func<CommandContext, CancellationToken, Task<int>> body, CancellationToken cancellationToken, Func<EtcdContext, CancellationToken, Task<int?>>? etcdBody = null)
    {
        var output = new CliOutput(parse.GetValue(GlobalOptions.Json), Console.Out);
        TimeSpan timeout = GlobalOptions.DefaultTimeout;
        try
        {
            Timings.Mark("parsed");
            var settings = ConnectionSettings.Resolve(parse);
            timeout = settings.Timeout;
            if (etcdBody is not null && Transports.EtcdEndpoints(parse, settings) is { } endpoints)
            {
                using var etcd = new EtcdKv(endpoints, settings.Group, settings.Timeout);
                if (await etcdBody(new EtcdContext(parse, output, settings, etcd), cancellationToken) is { } code)
                {
                    return code;
                }

                Timings.Mark("etcd gateways gave no plain answer: on to the Orleans client");
            }

            await using var connection = await ClusterConnection.ConnectAsync(settings, cancellationToken);
            return await body(new CommandContext(parse, output, connection), cancellationToken);
        }
        catch (CliException e)
        {
            await WriteErrorAsync(e.Message);
            return e.ExitCode;
        }
        catch (KvRequestException e)
        {
            await WriteErrorAsync($"the store refused the request: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (KvWatchCompactedException e)
        {
            await WriteErrorAsync(e.Message);
            return ExitCodes.Failed;
        }
        catch (TimeoutException)
        {
            await WriteErrorAsync($"no answer within {Durations.Show(timeout)}: the group may have no leader (a majority of its members down?). Raise --timeout to wait longer.");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await WriteErrorAsync("interrupted; a write in flight may or may not have applied.");
            return ExitCodes.Interrupted;
        }
        catch (OrleansException e)
        {
            await WriteErrorAsync($"the cluster failed the request: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else the cluster answered (a member that stopped before answering, an argument a silo refused)
            // is still one line for the user, never a stack trace.
            await WriteErrorAsync(e.Message);
            return ExitCodes.Failed;
        }
    }

    private static async Task<string> GroupNotFoundAsync(CommandContext context, string group)
    {
        var message = $"The key-value group '{group}' does not exist";
        try
        {
            // A few names help to spot a typo; the cluster may hold thousands.
            var page = await context.Connection.Client.GetGrain<IRaftDirectoryGrain>(IRaftDirectoryGrain.Key).ListGroupsAsync(null, SuggestedGroups).WaitAsync(context.Settings.Timeout);
            var more = page.Total > page.Groups.Length ? $" and {page.Total - page.Groups.Length} more ('group ls')" : "";
            return page.Total == 0
                ? $"{message}, and the cluster has no group."
                : $"{message}. Groups: {string.Join(", ", page.Groups)}{more}. Choose one with --group.";
        }
        catch (Exception e) when (e is TimeoutException or OrleansException)
        {
            return message + ".";
        }
    }
}
