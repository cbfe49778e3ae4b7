# LogLikeMap web app: the map with its embedded defaults (SQLite store, Hangfire on SQLite), on port 8080.
#   docker build -t loglikemap .                                  # CPU scoring
#   docker build -t loglikemap --build-arg TORCH_BACKEND=cuda .   # GPU scoring (run with --gpus all)
#   docker run -p 8080:8080 -v loglikemap-data:/data/app -e Security__AdminPasswordHash='pbkdf2-sha256$...' loglikemap
# Ubuntu 24.04 (noble) images carry libstdc++ 13, which libLibTorchSharp.so needs (docs/stack.md), so the build's Debian 12
# patch is switched off. TORCH_BACKEND=cuda also makes the scoring jobs run on the GPU (Jobs__ScoringDevice).
ARG TORCH_BACKEND=cpu

FROM mcr.microsoft.com/dotnet/sdk:10.0-noble AS build
ARG TORCH_BACKEND
WORKDIR /src
COPY . .
RUN dotnet publish LogLikeMap.Web/LogLikeMap.Web.csproj -c Release -o /app -p:TorchBackend=${TORCH_BACKEND} \
        -p:PatchTorchSharpForLibstdcxx12=false \
 && mkdir -p /src/data/demo-map

FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble AS runtime
ARG TORCH_BACKEND
WORKDIR /app
COPY --from=build /app .
# The built-in demo map, imported into the store on first start.
COPY --from=build /src/data/demo-map /app/demo-map
RUN mkdir -p /data/app && chown "$APP_UID" /data/app
ENV ASPNETCORE_HTTP_PORTS=8080 \
    Data__Folder=/data/app \
    Data__DemoMapFolder=/app/demo-map \
    Jobs__ScoringDevice=${TORCH_BACKEND}
VOLUME /data/app
EXPOSE 8080
USER $APP_UID
ENTRYPOINT ["dotnet", "LogLikeMap.Web.dll"]
