using OrleansRaft.KeyValue;

namespace OrleansRaft.KeyValue.Hosting;

/// <summary>
/// Carries a <see cref="KvException"/> across grain calls: the key-value state machine is pure and has no serializer
/// of its own, so the exception travels as its code and message.
/// </summary>
[RegisterConverter]
internal sealed class KvExceptionConverter : IConverter<KvException, KvExceptionSurrogate>
{
    public KvException ConvertFromSurrogate(in KvExceptionSurrogate surrogate) => new((KvErrorCode)surrogate.Code, surrogate.Message);

    public KvExceptionSurrogate ConvertToSurrogate(in KvException value) => new((int)value.Code, value.Message);
}

/// <summary>The wire form of a <see cref="KvException"/>; the code is its stable number.</summary>
[GenerateSerializer, Immutable, Alias("orleansraft.kv-exception")]
internal readonly record struct KvExceptionSurrogate([property: Id(0)] int Code, [property: Id(1)] string Message);
