using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace OrleansRaft.Etcd.Json;

/// <summary>
/// Protobuf messages as etcd 3.4's grpc-gateway writes and reads them: proto3's JSON mapping with the proto field
/// names (<c>create_revision</c>, <c>ID</c>), 64-bit integers as strings, bytes as base64, fields at their default left
/// out. A stream is a sequence of JSON objects: requests one after the other in the body, responses each as
/// <c>{"result": ...}</c> on its own line.
/// </summary>
internal static class JsonMessages
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    /// <summary><paramref name="message"/> as compact JSON, as grpc-gateway writes it (protobuf's formatter spaces its output).</summary>
    public static string Format(IMessage message)
    {
        using var document = JsonDocument.Parse(Formatter.Format(message));
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            document.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static readonly JsonParser Parser = new(JsonParser.Settings.Default);

    /// <summary>The request in <paramref name="json"/>; an empty body is the message at its defaults.</summary>
    public static T Parse<T>(string json)
        where T : IMessage<T>, new()
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new T();
        }

        try
        {
            return Parser.Parse<T>(json);
        }
        catch (Exception e) when (e is InvalidJsonException or InvalidProtocolBufferException or FormatException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
    }

    /// <summary>Reads the JSON objects of a request body one by one, as they arrive.</summary>
    public sealed class Reader<T>(HttpRequest request) : IAsyncStreamReader<T>
        where T : IMessage<T>, new()
    {
        private readonly ArrayBufferWriter<byte> _pending = new();
        private bool _ended;

        public T Current { get; private set; } = new();

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            while (true)
            {
                if (NextValue() is { } json)
                {
                    Current = Parse<T>(json);
                    return true;
                }

                if (_ended)
                {
                    return _pending.WrittenCount == 0 || IsBlank(_pending.WrittenSpan)
                        ? false
                        : throw new RpcException(new Status(StatusCode.InvalidArgument, "unexpected end of JSON input"));
                }

                var buffer = _pending.GetMemory(4096);
                var read = await request.Body.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    _ended = true;
                }
                else
                {
                    _pending.Advance(read);
                }
            }
        }

        /// <summary>The first complete JSON value of what has arrived, taken off it; null until one is whole.</summary>
        private string? NextValue()
        {
            var bytes = _pending.WrittenSpan;
            if (IsBlank(bytes))
            {
                return null;
            }

            var reader = new Utf8JsonReader(bytes, isFinalBlock: _ended, state: default);
            try
            {
                if (!reader.Read() || !reader.TrySkip())
                {
                    return null;
                }
            }
            catch (JsonException e)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
            }

            var end = (int)reader.BytesConsumed;
            var json = Encoding.UTF8.GetString(bytes[..end]);
            var rest = bytes[end..].ToArray();
            _pending.Clear();
            _pending.Write(rest);
            return json;
        }

        private static bool IsBlank(ReadOnlySpan<byte> bytes) => bytes.TrimStart(" \t\r\n"u8).IsEmpty;
    }

    /// <summary>Writes each response as <c>{"result": ...}</c> and a newline, flushed at once.</summary>
    public sealed class Writer<T>(HttpResponse response) : IServerStreamWriter<T>
        where T : IMessage<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message) => WriteAsync(message, CancellationToken.None);

        public async Task WriteAsync(T message, CancellationToken cancellationToken)
        {
            await response.WriteAsync($"{{\"result\":{Format(message)}}}\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
        }
    }
}
