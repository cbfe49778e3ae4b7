// What Plotly does not send to the map page: Esc, and a click on the map where there is no point (plotly_click comes
// only for points). Both deselect the model. A drag (zoom box, pan) is not a click, nor is a click next to a point that
// Plotly counts as on it (hovermode "closest" hovers it first).
window.llmMap = (() => {
    const watched = new Map();

    function watch(chartId, page) {
        unwatch(chartId);
        const chart = document.getElementById(chartId);
        if (!chart || typeof chart.on !== "function") return;
        let overPoint = false;
        let down = null;
        chart.on("plotly_hover", () => { overPoint = true; });
        chart.on("plotly_unhover", () => { overPoint = false; });
        const onDown = e => { down = { x: e.clientX, y: e.clientY }; };
        const onClick = e => {
            const still = down && Math.abs(e.clientX - down.x) < 4 && Math.abs(e.clientY - down.y) < 4;
            if (still && !overPoint && e.target.closest(".nsewdrag")) page.invokeMethodAsync("OnEmptyMapClick");
        };
        const onKey = e => { if (e.key === "Escape") page.invokeMethodAsync("OnEscape"); };
        chart.addEventListener("mousedown", onDown, true);
        chart.addEventListener("click", onClick, true);
        document.addEventListener("keydown", onKey);
        watched.set(chartId, () => {
            chart.removeEventListener("mousedown", onDown, true);
            chart.removeEventListener("click", onClick, true);
            document.removeEventListener("keydown", onKey);
        });
    }

    function unwatch(chartId) {
        watched.get(chartId)?.();
        watched.delete(chartId);
    }

    return { watch, unwatch };
})();
