namespace LogLikeMap.Scoring.Checkpoints;

/// <summary>What a checkpoint says about one tensor: its name (<c>model.layers.0.self_attn.q_proj.weight</c>), element type and shape.</summary>
public sealed record TensorInfo(string Name, TensorDType DType, long[] Shape)
{
    /// <summary>Number of elements: the product of the shape (1 for a scalar, whose shape is empty).</summary>
    public long ElementCount => Shape.Aggregate(1L, (count, dimension) => count * dimension);

    /// <summary>Size of the tensor's raw data in bytes.</summary>
    public long ByteLength => ElementCount * DType.SizeInBytes();

    /// <summary>The shape as Python prints it, for messages: <c>(32, 4, 8)</c>.</summary>
    public string ShapeText => "(" + string.Join(", ", Shape) + (Shape.Length == 1 ? ",)" : ")");
}
