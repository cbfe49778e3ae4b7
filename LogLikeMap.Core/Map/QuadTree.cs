namespace LogLikeMap.Core.Map;

/// <summary>
/// The Barnes-Hut quadtree of a 2-D embedding (van der Maaten 2014; sklearn <c>_quad_tree</c>): each cell keeps
/// its point count and centre of mass, so a far cell's repulsion is one term instead of one per point.
/// </summary>
internal sealed class QuadTree
{
    // Points closer than the cell size at this depth share a leaf (duplicates would otherwise split forever).
    private const int MaxDepth = 48;

    private readonly double[] _x;
    private readonly double[] _y;
    private readonly List<Cell> _cells = [];

    private struct Cell
    {
        public double CentreX, CentreY, HalfWidth;
        public double SumX, SumY;
        public int Count;
        public int FirstChild; // -1 for a leaf
        public int Point; // a leaf's first point, -1 when empty
        public int Depth;
    }

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

        var half = Math.Max(maxX - minX, maxY - minY) / 2;
        half = half * (1 + 1e-6) + 1e-12;
        _cells.Add(new Cell { CentreX = (minX + maxX) / 2, CentreY = (minY + maxY) / 2, HalfWidth = half, FirstChild = -1, Point = -1 });
        for (var i = 0; i < x.Length; i++)
            Insert(i);
    }

    /// <summary>
    /// Repulsion on point i: sum over others of w^2 (y_i - y_j) and of w, with w = 1 / (1 + |y_i - y_j|^2),
    /// where a cell counts as one point of its size at its centre of mass when width^2 / d^2 &lt; theta^2.
    /// </summary>
    public (double ForceX, double ForceY, double SumW) Repulsion(int i, double theta, Stack<int> stack)
    {
        double fx = 0, fy = 0, sumW = 0;
        var theta2 = theta * theta;
        double xi = _x[i], yi = _y[i];
        stack.Clear();
        stack.Push(0);
        while (stack.Count > 0)
        {
            var cell = _cells[stack.Pop()];
            if (cell.Count == 0)
                continue;
            var count = (double)cell.Count;
            var dx = xi - cell.SumX / count;
            var dy = yi - cell.SumY / count;
            var d2 = dx * dx + dy * dy;
            var width = 2 * cell.HalfWidth;
            if (cell.FirstChild < 0)
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
                    stack.Push(cell.FirstChild + c);
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

    private bool ContainsPoint(Cell leaf, int i) =>
        leaf.Point == i || (leaf.Depth >= MaxDepth && _x[i] >= leaf.CentreX - leaf.HalfWidth && _x[i] <= leaf.CentreX + leaf.HalfWidth
            && _y[i] >= leaf.CentreY - leaf.HalfWidth && _y[i] <= leaf.CentreY + leaf.HalfWidth);

    private void Insert(int point)
    {
        var index = 0;
        while (true)
        {
            var cell = _cells[index];
            cell.Count++;
            cell.SumX += _x[point];
            cell.SumY += _y[point];
            if (cell.FirstChild >= 0)
            {
                _cells[index] = cell;
                index = cell.FirstChild + Quadrant(cell, _x[point], _y[point]);
                continue;
            }

            if (cell.Point < 0 || cell.Depth >= MaxDepth)
            {
                if (cell.Point < 0)
                    cell.Point = point;
                _cells[index] = cell;
                return;
            }

            // Split the leaf: push its one resident point down, then continue with the new point.
            var resident = cell.Point;
            cell.Point = -1;
            cell.FirstChild = _cells.Count;
            _cells[index] = cell;
            var quarter = cell.HalfWidth / 2;
            for (var c = 0; c < 4; c++)
            {
                _cells.Add(new Cell
                {
                    CentreX = cell.CentreX + ((c & 1) == 0 ? -quarter : quarter),
                    CentreY = cell.CentreY + ((c & 2) == 0 ? -quarter : quarter),
                    HalfWidth = quarter,
                    FirstChild = -1,
                    Point = -1,
                    Depth = cell.Depth + 1,
                });
            }

            var child = cell.FirstChild + Quadrant(cell, _x[resident], _y[resident]);
            var moved = _cells[child];
            moved.Count = 1;
            moved.SumX = _x[resident];
            moved.SumY = _y[resident];
            moved.Point = resident;
            _cells[child] = moved;
            index = cell.FirstChild + Quadrant(cell, _x[point], _y[point]);
        }
    }

    private static int Quadrant(Cell cell, double x, double y) => (x < cell.CentreX ? 0 : 1) + (y < cell.CentreY ? 0 : 2);
}
