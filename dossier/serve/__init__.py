"""`dossier serve`: the rebuild engine, the HTTP server with live reload, the watcher."""
