using System.Runtime.InteropServices;
using OrleansRaft.Etcd.Hosting;

namespace OrleansRaft.EtcdBench;

/// <summary>
/// The OrleansRaft side of the benchmark: a <see cref="ServedCluster"/>. Prints <c>ENDPOINT host:port</c> once it
/// serves, and runs until its standard input closes or it is stopped.
/// </summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        var storage = "memory";
        string? postgres = null;
        string? tlsCert = null;
        string? tlsKey = null;
        var orleansTls = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
                case "--storage": storage = args[++i]; break;
                case "--postgres": postgres = args[++i]; break;
                case "--tls-cert": tlsCert = args[++i]; break;
                case "--tls-key": tlsKey = args[++i]; break;
                case "--orleans-tls": orleansTls = true; break;
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

        var tls = tlsCert is null ? null : new EtcdTlsOptions { CertificatePath = tlsCert, KeyPath = tlsKey };
        await using var served = await ServedCluster.StartAsync(storage == "postgres" ? postgres : null, port, tls, orleansTls);
        Console.WriteLine($"ENDPOINT {served.Endpoint}");

        // The script ends the server by closing its input, or by SIGTERM or SIGINT.
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        await Task.WhenAny(Task.Run(() => Console.In.ReadToEnd()), stop.Task);
        return 0;

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }
    }
}
