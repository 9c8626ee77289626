namespace OrleansRaft.Security;

/// <summary>
/// TLS is configured in a way that cannot work: a certificate that cannot be read, has no private key, is not meant
/// for its role or does not chain to the trusted authorities. The message names the files and the certificate, never
/// a password. Thrown as the silo or client is configured, so that it refuses to start; serializable like every
/// exception of this assembly, should a grain ever load credentials.
/// </summary>
[GenerateSerializer, Alias("orleansraft.tls")]
public sealed class RaftTlsException : Exception
{
    public RaftTlsException(string message)
        : base(message)
    {
    }

    public RaftTlsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
