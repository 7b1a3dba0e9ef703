from points_mall import create_app

app = create_app()
