namespace OrleansRaft.KeyValue;

/// <summary>
/// The binary encoding of commands, queries and results: compact (varints, no field names) and deterministic (one
/// object has one encoding). Every top-level encoding starts with <see cref="FormatVersion"/>; a decoder refuses a
/// version it does not know with <see cref="KvErrorCode.UnsupportedFormat"/>, so a format change is a new version
/// that old members reject rather than misread. Decoders copy the bytes they return: the input can be reused.
/// </summary>
/// <remarks>
/// Layouts (v = signed zigzag varint, u = unsigned varint, b = length-prefixed bytes, f = flag byte):
/// command = version, f(bit 0: session), [u session, u sequence, u acknowledged-below], request;
/// query = version, request; result = version, result body;
/// request = tag (<see cref="KvRequestKind"/>), fields in declaration order; result = tag (<see cref="KvResultKind"/>),
/// v revision, fields. See <see cref="KvCodec"/>'s Requests and Results files for each type.
/// </remarks>
public static partial class KvCodec
{
    /// <summary>The version of this encoding; the first byte of every command, query and result.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Nesting beyond this cannot be valid under any limits, and is refused while decoding to bound recursion.</summary>
    private const int MaxDecodeDepth = 64;

    public static byte[] EncodeCommand(KvCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var writer = new KvWriter();
        writer.Byte(FormatVersion);
        if (command.Session is { } stamp)
        {
            writer.Byte(1);
            writer.UVar(stamp.SessionId);
            writer.UVar(stamp.Sequence);
            writer.UVar(stamp.AcknowledgedBelow);
        }
        else
        {
            writer.Byte(0);
        }

        WriteRequest(writer, command.Request);
        return writer.ToArray();
    }

    /// <exception cref="KvException">The bytes are not a command of this format.</exception>
    public static KvCommand DecodeCommand(ReadOnlySpan<byte> bytes)
    {
        var reader = new KvReader(bytes);
        Version(ref reader);
        var flags = reader.Byte();
        SessionStamp? stamp = flags switch
        {
            0 => null,
            1 => new SessionStamp(reader.UVar(), reader.UVar(), reader.UVar()),
            _ => throw KvReader.Malformed($"unknown command flags {flags}"),
        };
        var request = ReadRequest(ref reader, depth: 0);
        reader.End();
        return new KvCommand(request, stamp);
    }

    public static byte[] EncodeQuery(KvRequest query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var writer = new KvWriter();
        writer.Byte(FormatVersion);
        WriteRequest(writer, query);
        return writer.ToArray();
    }

    /// <exception cref="KvException">The bytes are not a query of this format.</exception>
    public static KvRequest DecodeQuery(ReadOnlySpan<byte> bytes)
    {
        var reader = new KvReader(bytes);
        Version(ref reader);
        var request = ReadRequest(ref reader, depth: 0);
        reader.End();
        return request;
    }

    /// <summary>
    /// Whether an encoded command (<paramref name="command"/>) or query names a user (an <see cref="AsUserRequest"/>
    /// around the request), and which, without decoding the rest: what a silo checks before it admits the bytes.
    /// False for bytes that are not of this format; the store refuses those itself.
    /// </summary>
    public static bool TryPeekUser(ReadOnlySpan<byte> bytes, bool command, out string user, out ulong tokenRevision)
    {
        user = "";
        tokenRevision = 0;
        try
        {
            var reader = new KvReader(bytes);
            if (reader.Byte() != FormatVersion)
            {
                return false;
            }

            if (command && reader.Byte() == 1)
            {
                _ = reader.UVar();
                _ = reader.UVar();
                _ = reader.UVar();
            }

            if ((KvRequestKind)reader.Byte() != KvRequestKind.AsUser)
            {
                return false;
            }

            user = reader.String();
            tokenRevision = reader.UVar();
            return true;
        }
        catch (KvException)
        {
            return false;
        }
    }

    public static byte[] EncodeResult(KvResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var writer = new KvWriter();
        writer.Byte(FormatVersion);
        WriteResult(writer, result);
        return writer.ToArray();
    }

    /// <exception cref="KvException">The bytes are not a result of this format.</exception>
    public static KvResult DecodeResult(ReadOnlySpan<byte> bytes)
    {
        var reader = new KvReader(bytes);
        Version(ref reader);
        var result = ReadResult(ref reader, depth: 0);
        reader.End();
        return result;
    }

    private static void Version(ref KvReader reader)
    {
        var version = reader.Byte();
        if (version != FormatVersion)
        {
            throw Fail.With(KvErrorCode.UnsupportedFormat, $"format version {version} is not supported; this build reads version {FormatVersion}");
        }
    }

    private static void Depth(int depth)
    {
        if (depth > MaxDecodeDepth)
        {
            throw KvReader.Malformed($"nesting deeper than {MaxDecodeDepth}");
        }
    }

    private static byte Flags(bool a, bool b = false, bool c = false) => (byte)((a ? 1 : 0) | (b ? 2 : 0) | (c ? 4 : 0));

    private static int ReadFlags(ref KvReader reader, int count)
    {
        var flags = reader.Byte();
        if (flags >> count != 0)
        {
            throw KvReader.Malformed($"unknown flags {flags}");
        }

        return flags;
    }
}
