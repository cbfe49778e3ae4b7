namespace LogLikeMap.Core.Map;

/// <summary>
/// The Barnes-Hut quadtree of a 2-D embedding (van der Maaten 2014; sklearn <c>_quad_tree</c>): each cell keeps
/// its point count and centre of mass, so a far cell's repulsion is one term instead of one per point.
/// Cells live in flat arrays (index 0 is the root; a split cell's four children are consecutive).
/// </summary>
internal sealed class QuadTree
{
    // Points closer than the cell size at this depth share a leaf (duplicates would otherwise split forever).
    private const int MaxDepth = 48;

    private readonly double[] _x;
    private readonly double[] _y;
    private double[] _centreX = new double[64];
    private double[] _centreY = new double[64];
    private double[] _halfWidth = new double[64];
    private double[] _sumX = new double[64];
    private double[] _sumY = new double[64];
    private int[] _count = new int[64];
    private int[] _firstChild = new int[64]; // -1 for a leaf
    private int[] _point = new int[64]; // a leaf's first point, -1 when empty
    private int[] _depth = new int[64];
    private int _cells;

    public QuadTree(double[] x, double[] y)
    {
        _x = x;
        _y = y;
        double minX = double.PositiveInfinity, maxX = double.NegativeInfinity;
        double minY = double.PositiveInfinity, maxY = double.NegativeInfinity;
        for (var i = 0; i < x.Length; i++)
        {
            minX = Math.Min(minX, x[i]); maxX = Math.Max(maxX, x[i]);
            minY = Math.Min(minY, y[i]); maxY = Math.Max(maxY, y[i]);
        }

        var half = Math.Max(maxX - minX, maxY - minY) / 2 * (1 + 1e-6) + 1e-12;
        AddCell((minX + maxX) / 2, (minY + maxY) / 2, half, 0);
        for (var i = 0; i < x.Length; i++)
            Insert(i);
    }

    /// <summary>An explicit traversal stack deep enough for this tree (3 pending cells per level plus the root).</summary>
    public int[] NewStack() => new int[3 * MaxDepth + 8];

    /// <summary>
    /// Repulsion on point i: sum over others of w^2 (y_i - y_j) and of w, with w = 1 / (1 + |y_i - y_j|^2),
    /// where a cell counts as one point of its size at its centre of mass when width^2 / d^2 &lt; theta^2.
    /// </summary>
    public (double ForceX, double ForceY, double SumW) Repulsion(int i, double theta, int[] stack)
    {
        double fx = 0, fy = 0, sumW = 0;
        var theta2 = theta * theta;
        double xi = _x[i], yi = _y[i];
        var top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            var cell = stack[--top];
            if (_count[cell] == 0)
                continue;
            var count = (double)_count[cell];
            var dx = xi - _sumX[cell] / count;
            var dy = yi - _sumY[cell] / count;
            var d2 = dx * dx + dy * dy;
            var width = 2 * _halfWidth[cell];
            if (_firstChild[cell] < 0)
            {
                // A leaf holding i itself: its other points (duplicates at depth MaxDepth) sit at distance ~0.
                if (ContainsPoint(cell, i))
                    count -= 1;
                if (count <= 0)
                    continue;
            }
            else if (!(width * width < theta2 * d2))
            {
                for (var c = 0; c < 4; c++)
                    stack[top++] = _firstChild[cell] + c;
                continue;
            }

            var w = 1 / (1 + d2);
            sumW += count * w;
            var m = count * w * w;
            fx += m * dx;
            fy += m * dy;
        }

        return (fx, fy, sumW);
    }

    private bool ContainsPoint(int leaf, int i) =>
        _point[leaf] == i || (_depth[leaf] >= MaxDepth
            && Math.Abs(_x[i] - _centreX[leaf]) <= _halfWidth[leaf] && Math.Abs(_y[i] - _centreY[leaf]) <= _halfWidth[leaf]);

    private void Insert(int point)
    {
        double x = _x[point], y = _y[point];
        var cell = 0;
        while (true)
        {
            _count[cell]++;
            _sumX[cell] += x;
            _sumY[cell] += y;
            if (_firstChild[cell] >= 0)
            {
                cell = _firstChild[cell] + Quadrant(cell, x, y);
                continue;
            }

            if (_point[cell] < 0 || _depth[cell] >= MaxDepth)
            {
                if (_point[cell] < 0)
                    _point[cell] = point;
                return;
            }

            // Split the leaf: move its one resident point into a child, then continue with the new point.
            var resident = _point[cell];
            _point[cell] = -1;
            var quarter = _halfWidth[cell] / 2;
            var first = _cells;
            for (var c = 0; c < 4; c++)
            {
                AddCell(_centreX[cell] + ((c & 1) == 0 ? -quarter : quarter), _centreY[cell] + ((c & 2) == 0 ? -quarter : quarter),
                    quarter, _depth[cell] + 1);
            }

            _firstChild[cell] = first;
            var child = first + Quadrant(cell, _x[resident], _y[resident]);
            _count[child] = 1;
            _sumX[child] = _x[resident];
            _sumY[child] = _y[resident];
            _point[child] = resident;
            cell = first + Quadrant(cell, x, y);
        }
    }

    private void AddCell(double centreX, double centreY, double halfWidth, int depth)
    {
        if (_cells == _count.Length)
        {
            var size = _cells * 2;
            Array.Resize(ref _centreX, size); Array.Resize(ref _centreY, size); Array.Resize(ref _halfWidth, size);
            Array.Resize(ref _sumX, size); Array.Resize(ref _sumY, size); Array.Resize(ref _count, size);
            Array.Resize(ref _firstChild, size); Array.Resize(ref _point, size); Array.Resize(ref _depth, size);
        }

        _centreX[_cells] = centreX;
        _centreY[_cells] = centreY;
        _halfWidth[_cells] = halfWidth;
        _sumX[_cells] = 0;
        _sumY[_cells] = 0;
        _count[_cells] = 0;
        _firstChild[_cells] = -1;
        _point[_cells] = -1;
        _depth[_cells] = depth;
        _cells++;
    }

    private int Quadrant(int cell, double x, double y) => (x < _centreX[cell] ? 0 : 1) + (y < _centreY[cell] ? 0 : 2);
}
