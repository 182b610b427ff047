from web import create_app


def test_healthz_answers_with_the_database_state(engine):
    client = create_app(engine=engine).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"
