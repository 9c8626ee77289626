using System.Net;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TestingHost;
using OrleansRaft.Abstractions;
using OrleansRaft.Etcd.Hosting;
using OrleansRaft.Hosting.Configuration;
using OrleansRaft.Hosting.Storage;
using OrleansRaft.KeyValue.Hosting;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// Three in-process silos hosting the key-value group "kv" (logs in PostgreSQL, or in memory) and the etcd gateway
/// on a loopback port: the OrleansRaft side of the benchmark until the service host serves the gateway. Prints
/// <c>ENDPOINT host:port</c> once it serves, and runs until its standard input closes or it is stopped.
/// </summary>
internal static class ServeCommand
{
    /// <summary>The admin token of the in-process silos, which create the served group themselves.</summary>
    private const string AdminToken = "etcd-bench-admin-token";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        var storage = "memory";
        string? postgres = null;
        string? tlsCert = null;
        string? tlsKey = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--storage": storage = args[++i]; break;
                case "--postgres": postgres = args[++i]; break;
                case "--tls-cert": tlsCert = args[++i]; break;
                case "--tls-key": tlsKey = args[++i]; break;
                default: Console.Error.WriteLine($"serve: unknown argument {args[i]}"); return 2;
            }
        }

        if (storage is not ("memory" or "postgres") || (storage == "postgres" && string.IsNullOrWhiteSpace(postgres)))
        {
            Console.Error.WriteLine("serve: --storage is memory or postgres; postgres needs --postgres CONNECTION-STRING.");
            return 2;
        }

        if ((tlsCert is null) != (tlsKey is null))
        {
            Console.Error.WriteLine("serve: --tls-cert and --tls-key go together.");
            return 2;
        }

        var builder = new InProcessTestClusterBuilder(3);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            if (storage == "postgres")
            {
                silo.AddRaftPostgresBatchingStorage("raft", postgres!);
            }
            else
            {
                silo.AddMemoryGrainStorage("raft");
            }

            silo.AddOrleansRaft(o =>
            {
                o.StorageProviderName = "raft";
                o.AdminToken = AdminToken;
            });
            silo.AddRaftKeyValueStore();
        });
        await using var cluster = builder.Build();
        await cluster.DeployAsync();
        await WaitUntilAsync(() => Task.FromResult(cluster.Silos.All(silo =>
            silo.SiloHost.Services.GetRequiredService<IClusterMembershipService>().CurrentSnapshot.Members.Values
                .Count(m => m.Status == SiloStatus.Active) == cluster.Silos.Count)));
        var group = $"kv-{Guid.NewGuid():N}";
        await cluster.Client.GetGrain<IRaftGroupGrain>(group).CreateAsync(new RaftGroupSpec([1, 2, 3], KeyValueStore.StateMachineType), AdminToken);
        await WaitUntilAsync(async () => (await cluster.Client.GetGrain<IRaftGroupGrain>(group).GetStatusAsync()) is { Leader: not 0 });

        var web = WebApplication.CreateSlimBuilder();
        web.Logging.ClearProviders();
        web.Services.AddSingleton<IGrainFactory>(cluster.Client);
        web.Services.AddOrleansRaftEtcd(o =>
        {
            o.GroupId = group;
            o.Endpoint = new IPEndPoint(IPAddress.Loopback, port);
            o.Tls = tlsCert is null ? null : new EtcdTlsOptions { CertificatePath = tlsCert, KeyPath = tlsKey };
        });
        await using var app = web.Build();
        app.MapOrleansRaftEtcd();
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
        Console.WriteLine($"ENDPOINT {address.Authority}");

        // The script ends the server by closing its input, or by SIGTERM or SIGINT.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await Task.WhenAny(Task.Run(() => Console.In.ReadToEnd()), stop.Task);
        await app.StopAsync();
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The in-process cluster did not come up within 60 s.");
            }

            await Task.Delay(50);
        }
    }
}
